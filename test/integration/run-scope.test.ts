import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { TOKEN_SCOPES } from "../../contracts/accounts.ts";
import type { ResultModel, RunModel } from "../../contracts/runs.ts";
import { Accounts } from "../../server/accounts/accounts.ts";
import { createDb, type Db } from "../../server/db/client.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { seedProposalFolders } from "../support/proposal-data.ts";
import { agentReady, api, spawnAgent, stopProcess, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 13 item 5: a run's shipped code reads only its proposal's data folder and, on an agent
 * that is root, runs as its proposal's own Unix user; an agent restricted to a beamline (a
 * `beamline:<name>` tag) takes only the jobs of that beamline's proposals.
 */
let server: RunningServer;
let db: Db;
const agents: AgentProcess[] = [];
const asRoot = process.getuid?.() === 0;
const RUN_UID_BASE = 1_500_000_000;
const headers: Record<"alice" | "bob", Record<string, string>> = { alice: {}, bob: {} };
const ids = { proposalA: "", proposalB: "" };
const ACCESS_DENIED = /ERR_ACCESS_DENIED|Access to this API has been restricted/;

before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "1" } });
  db = createDb(server.databaseUrl);
  await seedProposalFolders(server.stateDir, ["pa", "pb"]);
  const accounts = new Accounts(db);
  for (const [who, number, beamline, dataFolder] of [
    ["alice", "A", "P11", "pa"],
    ["bob", "B", "P06", "pb"],
  ] as const) {
    const user = await accounts.createUser({ username: who, role: "user" });
    const t = await accounts.createToken(user.id, { name: "scope", scopes: [...TOKEN_SCOPES], proposalIds: [], expiresInDays: 1 });
    headers[who] = { Authorization: `token ${t.token}` };
    const p = await api<{ id: string }>(server, "POST", "api/lightbook/admin/proposals", { number, beamline, dataFolder });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal((await api(server, "POST", `api/lightbook/admin/proposals/${p.body.id}/members`, { username: who })).status, 201);
    ids[number === "A" ? "proposalA" : "proposalB"] = p.body.id;
  }
});

after(async () => {
  for (const a of agents) stopProcess(a.process, "SIGTERM");
  await Promise.all(agents.map((a) => a.exited));
  await db.$disconnect();
  await server.dispose();
});

async function startAgent(name: string, tags: string[]): Promise<AgentProcess> {
  const a = spawnAgent(server.databaseUrl, name, { concurrency: 1, tags, dataRoot: path.join(server.stateDir, "data") });
  agents.push(a);
  await agentReady(a);
  return a;
}

/** One run of one-task steps, one per shipped function, as `who`. */
async function submit(who: "alice" | "bob", sources: Record<string, string>, extra: Record<string, unknown> = {}): Promise<RunModel> {
  const steps = Object.entries(sources).map(([id, source]) => ({ id, source, max_attempts: 1, input: { kind: "range", start: 0, stop: 1 } }));
  const r = await api<RunModel>(server, "POST", "api/lightbook/runs", { recipe: { steps }, ...extra }, headers[who]);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function tasksOf(id: string): Promise<Map<string, { state: string; agent: string | null; error: string | null; value: unknown }>> {
  const run = (await api<RunModel>(server, "GET", `api/lightbook/runs/${id}?tasks=1`)).body;
  const results = (await api<{ results: ResultModel[] }>(server, "GET", `api/lightbook/runs/${id}/results`)).body.results;
  return new Map(
    run.tasks!.map((t) => [t.step, { state: t.state, agent: t.agent_name, error: t.error, value: results.find((r) => r.partition === t.partition)?.value }]),
  );
}

test("a run names only its proposal's files: another proposal's are refused as missing files are, at submission", async () => {
  const frames = (file: string, extra: Record<string, unknown>) => ({
    recipe: { steps: [{ id: "sum", algorithm: "frame-sum", input: { kind: "frames", file, dataset: "/entry/data/data" } }] },
    ...extra,
  });
  const asAlice = (body: unknown) => api<{ message: string }>(server, "POST", "api/lightbook/runs", body, headers.alice);
  for (const extra of [{ proposal_id: ids.proposalA }, {}]) {
    const foreign = await asAlice(frames("pb/scan.h5", extra));
    const missing = await asAlice(frames("pa/none.h5", extra));
    assert.equal(foreign.status, 400, JSON.stringify(foreign.body));
    assert.equal(missing.status, 400);
    assert.match(foreign.body.message, /no such file under the data root/);
    assert.equal(foreign.body.message.replace("pb/scan.h5", "F"), missing.body.message.replace("pa/none.h5", "F"), "no existence leak");
    const files = await asAlice({
      recipe: { steps: [{ id: "f", source: "(x) => x.name", input: { kind: "files", files: ["pa/scan.h5", "pb/none.h5"] } }] },
      ...extra,
    });
    assert.equal(files.status, 400, "a file list reaching into another proposal's folder");
  }
  // Naming a proposal that does not exist, or someone else's, is refused the same way.
  for (const proposal_id of [ids.proposalB, "00000000-0000-4000-8000-000000000000"]) {
    const r = await asAlice(frames("pa/scan.h5", { proposal_id }));
    assert.equal(r.status, 400);
    assert.match(r.body.message, /you are not a member of proposal/);
  }
  // An admin's personal run reads the whole data root.
  const admin = await api(server, "POST", "api/lightbook/runs", frames("pb/scan.h5", { name: "admin" }));
  assert.equal(admin.status, 201, JSON.stringify(admin.body));
  await api(server, "DELETE", `api/lightbook/runs/${(admin.body as RunModel).id}`);
});

test("an agent restricted to a beamline runs only its proposals' jobs; other jobs wait for an agent that may take them", { timeout: 180_000 }, async () => {
  const restricted = await startAgent("p06-agent", ["beamline:P06"]);
  const source = "() => process.getuid()";
  const onA = await submit("alice", { uid: source }, { proposal_id: ids.proposalA });
  const personal = await submit("alice", { uid: source });
  // A job from before jobs had flags: the restricted agent takes it, sees it is not its beamline's and passes it on, flagged.
  await withDb(server.databaseUrl, (c) => c.query("update graphile_worker._private_jobs set flags = null where key = $1", [`lightbook:${onA.id}:0`]));
  await waitFor(
    async () =>
      (await withDb(server.databaseUrl, (c) => c.query<{ flags: unknown }>("select flags from graphile_worker.jobs where key = $1", [`lightbook:${onA.id}:0`])))
        .rows[0]?.flags !== null,
    60_000,
    () => `the restricted agent did not pass on the unflagged job:\n${restricted.output()}`,
  );
  const onB = await submit("bob", { uid: source }, { proposal_id: ids.proposalB });
  assert.equal((await waitForRun(server, onB.id, 60_000)).state, "succeeded");
  assert.equal((await tasksOf(onB.id)).get("uid")!.agent, "p06-agent");
  // B's job came after A's and the personal run's, on an idle agent: those were skipped, not merely behind.
  for (const r of [onA, personal]) {
    const t = (await tasksOf(r.id)).get("uid")!;
    assert.deepEqual([t.state, t.agent], ["queued", null], r.id);
  }
  const { rows } = await withDb(server.databaseUrl, (c) =>
    c.query<{ attempts: number }>("select attempts from graphile_worker.jobs where key = $1", [`lightbook:${onA.id}:0`]),
  );
  assert.equal(rows[0]!.attempts, 0, "passing a job on gives its attempt back");
  await startAgent("general-agent", []);
  for (const r of [onA, personal]) {
    assert.equal((await waitForRun(server, r.id, 60_000)).state, "succeeded");
    assert.equal((await tasksOf(r.id)).get("uid")!.agent, "general-agent");
  }
  if (asRoot) {
    // Each proposal's code runs as its own user, a personal run as its submitter's; none as root or nobody.
    const uids = await withDb(server.databaseUrl, async (c) => {
      const p = await c.query<{ id: string; run_uid: number }>("select id, run_uid from proposal");
      const u = await c.query<{ run_uid: number }>(`select run_uid from "user" where username = 'alice'`);
      const of = (id: string) => RUN_UID_BASE + 2 * p.rows.find((x) => x.id === id)!.run_uid;
      return { a: of(ids.proposalA), b: of(ids.proposalB), alice: RUN_UID_BASE + 2 * u.rows[0]!.run_uid + 1 };
    });
    assert.deepEqual(
      [(await tasksOf(onA.id)).get("uid")!.value, (await tasksOf(onB.id)).get("uid")!.value, (await tasksOf(personal.id)).get("uid")!.value],
      [[uids.a], [uids.b], [uids.alice]],
    );
    assert.equal(new Set([uids.a, uids.b, uids.alice]).size, 3);
  }
});

test("shipped code reads its proposal's data folder and nothing else of the data root", { timeout: 120_000 }, async () => {
  const read = (file: string) => `(x, p, ctx) => process.getBuiltinModule('fs').statSync(ctx.dataRoot + '/${file}').size`;
  const onA = await submit("alice", { own: read("pa/scan.h5"), foreign: read("pb/scan.h5"), demo: read("demo/scan_0001.h5") }, { proposal_id: ids.proposalA });
  await waitForRun(server, onA.id, 60_000);
  const t = await tasksOf(onA.id);
  assert.equal(t.get("own")!.state, "succeeded", t.get("own")!.error ?? "");
  for (const step of ["foreign", "demo"]) {
    assert.equal(t.get(step)!.state, "failed", step);
    assert.match(t.get(step)!.error ?? "", ACCESS_DENIED, step);
  }
  // A personal run reads the folders of its submitter's proposals.
  const personal = await submit("bob", { own: read("pb/scan.h5"), foreign: read("pa/scan.h5") });
  await waitForRun(server, personal.id, 60_000);
  const p = await tasksOf(personal.id);
  assert.deepEqual([p.get("own")!.state, p.get("foreign")!.state], ["succeeded", "failed"]);
  assert.match(p.get("foreign")!.error ?? "", ACCESS_DENIED);
});
