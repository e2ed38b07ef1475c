import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";
import { runJobKeyPattern } from "../../queue/queue.ts";

/** Issue 5: an agent's SIGTERM finishes running jobs and takes no new ones; a second signal aborts them for retry. */
let server: RunningServer;
const DEBUG_LOG = { LIGHTBOOK_LOG_LEVEL: "debug", LIGHTBOOK_LOG_FORMAT: "json" };
const agents: AgentProcess[] = [];
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
});
after(async () => {
  for (const a of agents) stopProcess(a.process);
  await server.dispose();
});

/**
 * Partitions the agent has begun to compute, from its debug log. The task row says `running` as soon
 * as the agent takes a task, before it has a compute slot; a stop then gives the task back instead.
 */
function computing(a: AgentProcess): number[] {
  return a
    .output()
    .split("\n")
    .slice(0, -1) // the last piece may be a line still being written
    .filter((l) => l.includes('"msg":"task running"'))
    .map((l) => (JSON.parse(l) as { partition: number }).partition);
}

test("SIGTERM: the running task finishes on this agent, no new task is taken, the agent exits 0 as stopped", { timeout: 90_000 }, async () => {
  const a = spawnAgent(server.databaseUrl, "graceful", { concurrency: 1, env: DEBUG_LOG });
  agents.push(a);
  await agentReady(a);
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 2000 }, input: { kind: "range", start: 0, stop: 3 } }] },
  });
  let first: number[] = [];
  await waitFor(
    () => (first = computing(a)).length >= 1,
    30_000,
    () => `never started:\n${a.output()}`,
  );
  a.process.kill("SIGTERM");
  assert.equal(await a.exited, 0);
  await withDb(server.databaseUrl, async (c) => {
    // One task computes (concurrency 1); a task started ahead of its slot (prefetch) is given back, not run.
    const r = await c.query<{ partition: number; name: string }>(
      "select r.partition, a.name from result r join agent a on a.id = r.agent_id where r.run_id = $1",
      [run.id],
    );
    assert.equal(r.rows.length, 1, `only the running task finished; nothing new was taken: ${JSON.stringify(r.rows)}`);
    assert.deepEqual(r.rows, [{ partition: first[0], name: "graceful" }]);
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
  const a = spawnAgent(server.databaseUrl, "impatient", { concurrency: 1, env: DEBUG_LOG });
  agents.push(a);
  await agentReady(a);
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 60_000 }, input: { kind: "range", start: 0, stop: 1 } }] },
  });
  await waitFor(
    () => computing(a).length === 1,
    30_000,
    () => `never started:\n${a.output()}`,
  );
  a.process.kill("SIGTERM");
  // The second signal counts only once the first has been taken: the agent says so in its row.
  await waitFor(
    async () => (await withDb(server.databaseUrl, (c) => c.query("select state from agent where name = 'impatient'"))).rows[0]?.state === "stopping",
    30_000,
    () => "never stopping",
  );
  a.process.kill("SIGTERM");
  // Exit code 1: it aborted the minute-long task rather than waiting for it to end.
  assert.equal(await a.exited, 1);
  await withDb(server.databaseUrl, async (c) => {
    const t = await c.query<{ state: string; error: string; attempt: number }>("select state, error, attempt from task where run_id = $1", [run.id]);
    assert.deepEqual(t.rows[0], { state: "queued", error: "attempt 1: the agent stopped before the task ended", attempt: 1 });
    const j = await c.query<{ attempts: number; locked_by: string | null }>("select attempts, locked_by from graphile_worker.jobs where key like $1", [
      runJobKeyPattern(run.id),
    ]);
    assert.deepEqual(j.rows, [{ attempts: 1, locked_by: null }], "the job waits for its retry, unlocked");
  });
});
