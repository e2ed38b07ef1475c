import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KernelManager, SessionManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import type { RunModel } from "../../contracts/runs.ts";
import { serverSettings } from "../support/jupyter.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, waitFor, withDb, type AgentProcess } from "../support/workflow.ts";
import { runJobKeyPattern } from "../../queue/queue.ts";

/** Issue 5: workflow.map in a cell fans out to agents, shows progress in place, and is cancelled by an interrupt. */
let server: RunningServer;
let agent: AgentProcess;
let kernels: KernelManager;
let sessions: SessionManager;
let kernel: Kernel.IKernelConnection;

before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
  agent = spawnAgent(server.databaseUrl, "kernel-agent", { concurrency: 2, dataRoot: `${server.stateDir}/data` });
  await agentReady(agent);
  const settings = serverSettings(server);
  kernels = new KernelManager({ serverSettings: settings });
  sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  const session = await sessions.startNew({ path: "wf.ipynb", name: "wf.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
  kernel = session.kernel!;
});
after(async () => {
  sessions.dispose();
  kernels.dispose();
  stopProcess(agent.process, "SIGTERM");
  await agent.exited;
  await server.dispose();
});

interface CellRun {
  reply: KernelMessage.IExecuteReplyMsg;
  value: string | undefined;
  messages: KernelMessage.IIOPubMessage[];
  text: string;
}

async function execute(code: string, onIOPub?: (msg: KernelMessage.IIOPubMessage) => void): Promise<CellRun> {
  const messages: KernelMessage.IIOPubMessage[] = [];
  let value: string | undefined;
  let text = "";
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => {
    messages.push(msg);
    if (msg.header.msg_type === "execute_result") value = String((msg.content as { data: Record<string, unknown> }).data["text/plain"]);
    if (msg.header.msg_type === "stream") text += (msg.content as { text: string }).text;
    if (msg.header.msg_type === "error") text += JSON.stringify(msg.content);
    onIOPub?.(msg);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, value, messages, text };
}

test("workflow.map over the demo scan's frames returns per-frame sums in order, with a progress display updated in place", async () => {
  const cell = await execute(
    `const sums = await workflow.map(frames("demo/scan_0001.h5", "/entry/data/data"), "frame-sum", {}, { chunk: 3 });\nconsole.log(JSON.stringify(sums));`,
  );
  assert.equal(cell.reply.content.status, "ok", cell.text);
  const sums = JSON.parse(cell.text) as number[];
  assert.equal(sums.length, 8);
  for (let i = 1; i < sums.length; i++) assert.ok(sums[i]! > sums[i - 1]!, "ring intensity grows through the scan");
  const shown = cell.messages.filter((m) => m.header.msg_type === "display_data");
  const updates = cell.messages.filter((m) => m.header.msg_type === "update_display_data");
  assert.equal(shown.length, 1, "one progress display");
  const id = (shown[0]!.content as { transient: { display_id: string } }).transient.display_id;
  assert.match(id, /^lightbook-run-/);
  assert.ok(updates.length >= 1, "updated in place");
  const last = updates.at(-1)!.content as { data: Record<string, string>; transient: { display_id: string } };
  assert.equal(last.transient.display_id, id);
  assert.match(last.data["text/plain"]!, /3\/3 done .* succeeded in/);
  assert.match(last.data["text/html"]!, /<progress value="3" max="3"/);

  // The same through a remote reduce step, and a shipped function with a local reduce.
  const total = await execute(
    `await workflow.map(frames("demo/scan_0001.h5", "/entry/data/data"), "frame-sum", {}, { chunk: 4, reduce: "sum", progress: false })`,
  );
  assert.equal(
    Number(total.value),
    sums.reduce((a, b) => a + b, 0),
  );
  const squares = await execute(`await workflow.map(workflow.range(0, 10), (i: number) => i * i, {}, { reduce: (xs) => xs.reduce((a, b) => a + b, 0) })`);
  assert.equal(squares.reply.content.status, "ok", squares.text);
  assert.equal(squares.value, "285");
});

test("a failing shipped function makes map throw a clear WorkflowError naming the partition", async () => {
  const cell = await execute(
    `await workflow.map([1, 2, 3], (x: number) => { if (x === 2) throw new Error("bad frame " + x); return x; }, {}, { maxAttempts: 1, progress: false })`,
  );
  assert.equal(cell.reply.content.status, "error");
  const content = cell.reply.content as { ename: string; evalue: string };
  assert.equal(content.ename, "WorkflowError");
  assert.match(content.evalue, /1 of 3 tasks failed; partition 1: attempt 1: Error: bad frame 2/);
});

test("interrupting the cell cancels the run's pending tasks", { timeout: 60_000 }, async () => {
  let displayed = false;
  const running = execute(`await workflow.map(workflow.range(0, 60), "sleep", { ms: 300 })`, (m) => {
    if (m.header.msg_type === "display_data") displayed = true;
  });
  await waitFor(
    () => displayed,
    30_000,
    () => "no progress display",
  );
  await kernel.interrupt();
  const cell = await running;
  assert.equal(cell.reply.content.status, "error");
  assert.equal((cell.reply.content as { ename: string }).ename, "KeyboardInterrupt");
  const runs = await api<RunModel[]>(server, "GET", "/api/lightbook/runs?limit=1");
  const run = runs.body[0]!;
  await waitFor(
    async () => (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.state === "cancelled",
    10_000,
    () => "run not cancelled",
  );
  await waitFor(
    async () => (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.counts.running === 0,
    10_000,
    () => "tasks still running",
  );
  const final = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body;
  assert.ok(final.counts.cancelled >= 40, JSON.stringify(final.counts));
  const jobs = await withDb(server.databaseUrl, (c) =>
    c.query("select count(*)::int as n from graphile_worker.jobs where key like $1", [runJobKeyPattern(run.id)]),
  );
  assert.equal(jobs.rows[0].n, 0);
});

test("a map survives every database connection being terminated while it runs", { timeout: 90_000 }, async () => {
  let displayed = false;
  const running = execute(`(await workflow.map(workflow.range(0, 40), "sleep", { ms: 100 }, { chunk: 2 })).length`, (m) => {
    if (m.header.msg_type === "display_data") displayed = true;
  });
  await waitFor(
    () => displayed,
    30_000,
    () => "no progress display",
  );
  await withDb(server.databaseUrl, (c) =>
    c.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"),
  );
  const cell = await running;
  assert.equal(cell.reply.content.status, "ok", cell.text);
  assert.equal(cell.value, "40");
});

test("the seeded 'Distributed workflows' notebook runs top to bottom on the agents", { timeout: 120_000 }, async () => {
  const { ContentsManager } = await import("@jupyterlab/services");
  const contents = new ContentsManager({ serverSettings: serverSettings(server) });
  try {
    const nb = (await contents.get("Distributed workflows.ipynb")).content as { cells: { id: string; cell_type: string; source: string }[] };
    const outputs = new Map<string, CellRun>();
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      const run = await execute(cell.source);
      assert.equal(run.reply.content.status, "ok", `cell ${cell.id}: ${run.text}`);
      outputs.set(cell.id, run);
    }
    const spots = outputs.get("spots")!.messages.filter((m) => m.header.msg_type === "display_data");
    assert.ok(
      spots.some((m) => "application/vnd.vegalite.v5+json" in (m.content as { data: object }).data),
      "a heatmap of spots per frame",
    );
    assert.ok(
      spots.some(
        (m) =>
          "text/html" in (m.content as { data: Record<string, string> }).data &&
          /lightbook-run/.test((m.content as { data: Record<string, string> }).data["text/html"]!),
      ),
      "a progress display",
    );
    assert.match(outputs.get("azint")!.value ?? "", /^\[\s*'\d+'/);
    assert.ok(Number(outputs.get("shipped")!.value) > 0);
  } finally {
    contents.dispose();
  }
});
