import assert from "node:assert/strict";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../server/db/embedded.ts";
import { createLogger } from "../../runtime/log.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";
import { inOrder, subscribe } from "../support/events.ts";
import { readEvents } from "../../queue/sql/events.ts";

/** Issue 11, item 3, faults: a slow subscriber, and PostgreSQL restarted mid-run. */
const servers: RunningServer[] = [];
const agents: AgentProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const a of agents) stopProcess(a.process);
  for (const s of servers) await s.dispose();
  for (const c of cleanups) await c();
});

async function metric(server: RunningServer, name: string): Promise<number> {
  const text = (await (await fetch(`${server.url}metrics`, { headers: { Authorization: `token ${server.token}` } })).text()).split("\n");
  const line = text.find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return Number(line?.split(" ").at(-1));
}

test(
  "a subscriber that stops reading is paged from the database: the server's buffer stays bounded and it still gets every event",
  { timeout: 240_000 },
  async () => {
    const bufferBytes = 64 * 1024;
    const server = await startServer({
      web: false,
      env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", LIGHTBOOK_EVENT_BUFFER_BYTES: String(bufferBytes) },
    });
    servers.push(server);
    const slow = await subscribe(server);
    const fast = await subscribe(server);
    slow.ws.pause();
    // 64 MiB of events (notebook.revision with 16 KiB paths), written as any writer does, far more than socket buffers hold.
    const count = 4096;
    const pathBytes = 16 * 1024;
    await withDb(server.databaseUrl, (c) =>
      c.query(
        `insert into event (kind, payload) select 'notebook.revision',
         jsonb_build_object('path', repeat('p', $2::int) || i, 'revision_id', 'r' || i, 'author', 'test', 'revision_kind', 'save')
       from generate_series(1, $1::int) as i`,
        [count, pathBytes],
      ),
    );
    await fast.until((e) => e.kind === "notebook.revision" && e.revision_id === `r${count}`, 120_000);
    await waitFor(
      async () => (await metric(server, 'lightbook_event_subscribers{mode="paging"}')) === 1,
      30_000,
      () => "the paused subscriber did not leave the live stream",
    );
    // What the server holds for the paused client: its socket's queue, never past the bound (plus the event that crossed it).
    const queued = await metric(server, "lightbook_event_buffered_bytes_peak");
    assert.ok(queued > bufferBytes && queued <= bufferBytes + pathBytes + 1024, `peak queued bytes ${queued}, bound ${bufferBytes} + one event`);
    assert.equal(slow.events.length < count, true, "the paused client had not read everything");

    slow.ws.resume();
    await slow.until((e) => e.kind === "notebook.revision" && e.revision_id === `r${count}`, 120_000);
    const revisions = slow.events.filter((e) => e.kind === "notebook.revision");
    assert.equal(revisions.length, count, "every event, once");
    assert.ok(inOrder(slow.events));
    assert.deepEqual(
      slow.events.map((e) => e.seq),
      fast.events.map((e) => e.seq),
    );
    const peak = await metric(server, "lightbook_event_buffered_bytes_peak");
    assert.ok(peak > 0 && peak <= bufferBytes + pathBytes + 1024, `peak queued bytes ${peak}, bound ${bufferBytes} + one event`);
    await waitFor(
      async () => (await metric(server, 'lightbook_event_subscribers{mode="live"}')) === 2,
      30_000,
      () => "the caught-up subscriber did not go live again",
    );
    await Promise.all([slow.close(), fast.close()]);
  },
);

test("PostgreSQL restarted mid-run: the stream resumes, no event lost or repeated", { timeout: 300_000 }, async () => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "lb-ev-"));
  await chmod(stateDir, 0o755);
  const log = createLogger("test");
  let db: EmbeddedDatabase = await startEmbeddedDatabase(stateDir, log);
  cleanups.push(async () => {
    await db.stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });
  const server = await startServer({ web: false, databaseUrl: db.url, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
  servers.push(server);
  const agent = spawnAgent(db.url, "restart-agent", { concurrency: 2 });
  agents.push(agent);
  await agentReady(agent);
  const partitions = 40;
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 150 }, input: { kind: "range", start: 0, stop: partitions } }] },
  });
  const sub = await subscribe(server, { after: 0, run: run.id });
  const done = () => sub.events.filter((e) => e.kind === "task.state" && e.state === "succeeded").length;
  await sub.until(() => done() >= 5);

  await db.stop();
  const whileDown = sub.events.length;
  db = await startEmbeddedDatabase(stateDir, log);
  // Jobs whose failure the agent could not record while the database was down stay locked by it
  // (graphile-worker); a replacement agent gets them once the server finds the old one lost.
  stopProcess(agent.process);
  const second = spawnAgent(db.url, "restart-agent-2", { concurrency: 2 });
  agents.push(second);
  await waitFor(
    () => sub.events.length > whileDown,
    120_000,
    () => `no event after the restart:\n${server.stderr().slice(-3000)}\n${agent.output().slice(-3000)}`,
  );
  const end = await sub.until((e) => e.kind === "run.state" && e.state !== "running" && e.state !== "pending", 180_000);
  assert.equal(end.kind === "run.state" && end.state, "succeeded");
  assert.equal((await waitForRun(server, run.id, 10_000)).counts.succeeded, partitions);
  assert.ok(inOrder(sub.events), "no event twice or out of order");
  const stored = await withDb(db.url, (c) => readEvents(c, { after: 0, upTo: end.seq, limit: 100_000, runId: run.id }));
  assert.deepEqual(
    sub.events.filter((e) => e.seq <= end.seq),
    stored,
    "the stream is exactly the run's events in the table",
  );
  const succeeded = new Set(stored.filter((e) => e.kind === "task.state" && e.state === "succeeded").map((e) => (e.kind === "task.state" ? e.partition : -1)));
  assert.equal(succeeded.size, partitions, "one result event per partition");
  await sub.close();
  // The server still answers after the restart.
  assert.equal((await api(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).status, 200);
});
