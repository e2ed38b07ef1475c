import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";
import { inOrder, subscribe } from "../support/events.ts";
import type { StreamEvent } from "../../contracts/events.ts";
import type { RunModel } from "../../contracts/runs.ts";
import { readEvents } from "../../queue/sql/events.ts";

/** Issue 11, item 3: one event stream, pushed, resumable by seq. */
let server: RunningServer;
let agent: AgentProcess;
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
  agent = spawnAgent(server.databaseUrl, "events-agent", { concurrency: 2 });
  await agentReady(agent);
});
after(async () => {
  stopProcess(agent.process);
  await server.dispose();
});

const noop = (stop: number, extra: object = {}) => ({
  recipe: { steps: [{ id: "w", algorithm: "noop", input: { kind: "items", items: Array.from({ length: stop }, (_, i) => i) } }] },
  ...extra,
});
const ended = (runId: string) => (e: StreamEvent) => e.kind === "run.state" && e.run_id === runId && ["succeeded", "failed", "cancelled"].includes(e.state);
const stored = (events: StreamEvent[], runId: string) =>
  events
    .filter((e) => e.kind === "task.state" && e.run_id === runId && e.state === "succeeded")
    .map((e) => (e.kind === "task.state" ? e.partition : -1))
    .sort((a, b) => a - b);
const fromDb = (after: number, upTo: number) => withDb(server.databaseUrl, (c) => readEvents(c, { after, upTo, limit: 100_000 }));

describe("the event stream", () => {
  test("pushes each stored result, and a client resuming with after=<seq> gets exactly the events it missed", { timeout: 120_000 }, async () => {
    const first = await subscribe(server, { after: 0 });
    const agentSeen = await first.until((e) => e.kind === "agent.state" && e.name === "events-agent" && e.state === "running");
    assert.ok(agentSeen.seq >= 1);
    const r1 = await submitRun(server, noop(3));
    const end1 = await first.until(ended(r1.id));
    assert.deepEqual(stored(first.events, r1.id), [0, 1, 2], "each result stored is one event");
    const last = end1.seq;
    await first.close();
    assert.ok(inOrder(first.events));
    assert.deepEqual(
      first.events.filter((e) => e.seq <= last),
      await fromDb(0, last),
      "the live stream is the table, in order",
    );

    // While nobody listens: a second run.
    const r2 = await submitRun(server, noop(4));
    await waitForRun(server, r2.id, 60_000);
    const resumed = await subscribe(server, { after: last });
    const end2 = await resumed.until(ended(r2.id));
    assert.ok(inOrder(resumed.events));
    assert.equal(resumed.events[0]!.seq > last, true, "nothing before after= again");
    assert.deepEqual(
      resumed.events.filter((e) => e.seq <= end2.seq),
      await fromDb(last, end2.seq),
      "exactly the missed events",
    );
    assert.deepEqual(stored(resumed.events, r2.id), [0, 1, 2, 3]);
    assert.equal(stored(resumed.events, r1.id).length, 0, "none of the first run's again");

    // Only one run's events with run=<id>.
    const filtered = await subscribe(server, { after: 0, run: r2.id });
    await filtered.until(ended(r2.id));
    assert.ok(filtered.events.every((e) => "run_id" in e && e.run_id === r2.id));
    await Promise.all([resumed.close(), filtered.close()]);
  });

  test("refuses a bad query and an unauthenticated or foreign-origin client", async () => {
    const url = `${server.url.replace(/^http/, "ws")}api/lightbook/events`;
    const status = (u: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        void import("ws").then(({ WebSocket }) => {
          const ws = new WebSocket(u, { headers });
          ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          ws.on("open", () => reject(new Error(`${u} opened`)));
          ws.on("error", () => undefined);
        });
      });
    const token = { Authorization: `token ${server.token}` };
    assert.equal(await status(`${url}?after=-1`, token), 400);
    assert.equal(await status(`${url}?run=not-a-uuid`, token), 400);
    assert.equal(await status(url, {}), 401);
    assert.equal(await status(url, { ...token, Origin: "https://elsewhere.example" }), 403);
  });
});

describe("open runs", () => {
  test("take appended tasks until closed, stream their results meanwhile, and end after closing", { timeout: 120_000 }, async () => {
    const run = await submitRun(server, noop(2, { open: true }));
    assert.equal(run.open, true);
    const sub = await subscribe(server, { after: 0, run: run.id });
    await sub.until((e) => e.kind === "task.state" && e.state === "succeeded" && e.partition === 1);
    const appended = await api<{ first: number; count: number }>(server, "POST", `/api/lightbook/runs/${run.id}/tasks`, {
      input: { kind: "items", items: [10, 11, 12] },
    });
    assert.equal(appended.status, 201);
    assert.deepEqual(appended.body, { first: 2, count: 3 });
    await sub.until((e) => e.kind === "run.tasks" && e.first === 2 && e.count === 3);
    await sub.until(() => stored(sub.events, run.id).length === 5);
    // Every task ended, but the run is open: it goes on.
    const during = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`);
    assert.equal(during.body.state, "running");
    assert.equal(during.body.counts.total, 5);
    const results = await api<{ results: { partition: number; value: unknown }[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results`);
    assert.deepEqual(
      results.body.results.map((r) => r.partition),
      [0, 1, 2, 3, 4],
    );

    // Bad input: nothing half-stored.
    const tooMany = await api(server, "POST", `/api/lightbook/runs/${run.id}/tasks`, { input: { kind: "range", start: 0, stop: 10_001 } });
    assert.equal(tooMany.status, 413, JSON.stringify(tooMany.body));
    const unknownStep = await api<{ message: string }>(server, "POST", `/api/lightbook/runs/${run.id}/tasks`, {
      step: "nope",
      input: { kind: "items", items: [1] },
    });
    assert.equal(unknownStep.status, 400);
    assert.match(unknownStep.body.message, /no step "nope"/);
    const unknownRun = await api(server, "POST", `/api/lightbook/runs/00000000-0000-4000-8000-000000000000/tasks`, { input: { kind: "items", items: [1] } });
    assert.equal(unknownRun.status, 404);
    const badBody = await api(server, "POST", `/api/lightbook/runs/${run.id}/tasks`, { input: { kind: "items", items: [] } });
    assert.equal(badBody.status, 400);
    assert.equal((await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.counts.total, 5, "refused appends stored no task");

    const closed = await api<RunModel>(server, "POST", `/api/lightbook/runs/${run.id}/close`);
    assert.equal(closed.status, 200);
    const end = await sub.until(ended(run.id));
    assert.equal(end.kind === "run.state" && end.state, "succeeded");
    assert.equal((await waitForRun(server, run.id, 10_000)).open, false);
    const late = await api<{ message: string }>(server, "POST", `/api/lightbook/runs/${run.id}/tasks`, { input: { kind: "items", items: [1] } });
    assert.equal(late.status, 409);
    assert.match(late.body.message, /has ended/);
    assert.ok(inOrder(sub.events));
    await sub.close();

    const closedRun = await submitRun(server, noop(1));
    const notOpen = await api(server, "POST", `/api/lightbook/runs/${closedRun.id}/tasks`, { input: { kind: "items", items: [1] } });
    assert.ok(notOpen.status === 409, JSON.stringify(notOpen.body));
    const withLaterStep = await api(server, "POST", "/api/lightbook/runs", {
      open: true,
      recipe: {
        steps: [
          { id: "a", algorithm: "noop", input: { kind: "items", items: [1] } },
          { id: "b", algorithm: "sum", input: { kind: "results", step: "a" } },
        ],
      },
    });
    assert.equal(withLaterStep.status, 400);
  });
});
