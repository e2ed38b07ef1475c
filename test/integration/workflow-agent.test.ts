import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/** Issue 5: an agent's SIGTERM finishes running jobs and takes no new ones; a second signal aborts them for retry. */
let server: RunningServer;
const agents: AgentProcess[] = [];
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
});
after(async () => {
  for (const a of agents) stopProcess(a.process);
  await server.dispose();
});

async function runningOn(runId: string, agent: string): Promise<number[]> {
  return withDb(server.databaseUrl, async (c) =>
    (await c.query<{ partition: number }>("select t.partition from task t join agent a on a.id = t.agent_id where t.run_id = $1 and t.state = 'running' and a.name = $2", [runId, agent])).rows.map((r) => r.partition),
  );
}

test("SIGTERM: the running task finishes on this agent, no new task is taken, the agent exits 0 as stopped", { timeout: 90_000 }, async () => {
  const a = spawnAgent(server.databaseUrl, "graceful", { concurrency: 1 });
  agents.push(a);
  await agentReady(a);
  const run = await submitRun(server, { recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 2000 }, input: { kind: "range", start: 0, stop: 3 } }] } });
  let first: number[] = [];
  await waitFor(async () => (first = await runningOn(run.id, "graceful")).length >= 1, 30_000, () => "never started");
  a.process.kill("SIGTERM");
  assert.equal(await a.exited, 0);
  await withDb(server.databaseUrl, async (c) => {
    // One task computes (concurrency 1); a task started ahead of its slot (prefetch) is given back, not run.
    const r = await c.query<{ partition: number; name: string }>("select r.partition, a.name from result r join agent a on a.id = r.agent_id where r.run_id = $1", [run.id]);
    assert.equal(r.rows.length, 1, `only the running task finished; nothing new was taken: ${JSON.stringify(r.rows)}`);
    assert.deepEqual(r.rows, [{ partition: Math.min(...first), name: "graceful" }]);
    const t = await c.query<{ n: number }>("select count(*)::int as n from task where run_id = $1 and state = 'queued'", [run.id]);
    assert.equal(t.rows[0]!.n, 2, "the other tasks wait in the queue");
    const s = await c.query<{ state: string }>("select state from agent where name = 'graceful'");
    assert.equal(s.rows[0]!.state, "stopped");
  });
  // Another agent finishes the run.
  const b = spawnAgent(server.databaseUrl, "finisher", { concurrency: 2 });
  agents.push(b);
  await agentReady(b);
  assert.equal((await waitForRun(server, run.id, 30_000)).state, "succeeded");
  stopProcess(b.process, "SIGTERM");
  await b.exited;
});

test("a second signal aborts the running task, records the attempt as failed for retry, and exits", { timeout: 90_000 }, async () => {
  const a = spawnAgent(server.databaseUrl, "impatient", { concurrency: 1 });
  agents.push(a);
  await agentReady(a);
  const run = await submitRun(server, { recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 60_000 }, input: { kind: "range", start: 0, stop: 1 } }] } });
  await waitFor(async () => (await runningOn(run.id, "impatient")).length === 1, 30_000, () => "never started");
  const t0 = Date.now();
  a.process.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  a.process.kill("SIGTERM");
  assert.equal(await a.exited, 1);
  assert.ok(Date.now() - t0 < 10_000, "left within seconds, not after the task's minute");
  await withDb(server.databaseUrl, async (c) => {
    const t = await c.query<{ state: string; error: string; attempt: number }>("select state, error, attempt from task where run_id = $1", [run.id]);
    assert.deepEqual(t.rows[0], { state: "queued", error: "attempt 1: the agent stopped before the task ended", attempt: 1 });
    const j = await c.query<{ attempts: number; locked_by: string | null }>("select attempts, locked_by from graphile_worker.jobs where key like $1", [`lightbook:${run.id}:%`]);
    assert.deepEqual(j.rows, [{ attempts: 1, locked_by: null }], "the job waits for its retry, unlocked");
  });
});
