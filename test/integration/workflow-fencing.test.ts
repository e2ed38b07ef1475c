import assert from "node:assert/strict";
import { after, test } from "node:test";
import pg from "pg";
import { completeTask } from "../../queue/sql/finish-task.ts";
import { startTask } from "../../queue/sql/start-task.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 5: an agent that comes back after its task was re-dispatched (it was frozen, not dead)
 * cannot overwrite the newer result: the attempt it started is no longer the task's attempt.
 */
let server: RunningServer | undefined;
const agents: AgentProcess[] = [];
after(async () => {
  for (const a of agents) {
    if (a.process.signalCode === null && a.process.exitCode === null) a.process.kill("SIGCONT");
    stopProcess(a.process);
  }
  await server?.dispose();
});

test("a frozen agent that wakes after its task was re-run elsewhere is fenced off", { timeout: 180_000 }, async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", LIGHTBOOK_AGENT_LOST_MS: "4000" } });
  const env = { LIGHTBOOK_AGENT_LOST_MS: "4000" };
  const stale = spawnAgent(server.databaseUrl, "stale", { concurrency: 1, env });
  agents.push(stale);
  await agentReady(stale);
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 2500 }, input: { kind: "range", start: 0, stop: 1 } }] },
  });
  await waitFor(
    () => withDb(server!.databaseUrl, async (c) => (await c.query("select 1 from task where run_id = $1 and state = 'running'", [run.id])).rowCount === 1),
    30_000,
    () => "never started",
  );

  // Freeze the stale agent mid-task: no heartbeats, its sleep cannot end.
  stale.process.kill("SIGSTOP");
  const fresh = spawnAgent(server.databaseUrl, "fresh", { concurrency: 1, env });
  agents.push(fresh);
  await agentReady(fresh);
  const done = await waitForRun(server, run.id, 60_000);
  assert.equal(done.state, "succeeded");

  // Wake it: its sleep ends and it tries to store attempt 1's result (refused by the attempt check),
  // unless its heartbeat learns first that it was lost (then it drops the task): fenced either way.
  stale.process.kill("SIGCONT");
  await waitFor(
    () => /fenced/.test(stale.output()),
    30_000,
    () => `the stale agent did not report the fence:\n${stale.output()}`,
  );
  await withDb(server.databaseUrl, async (c) => {
    const r = await c.query<{ attempt: number; name: string }>("select r.attempt, a.name from result r join agent a on a.id = r.agent_id where r.run_id = $1", [
      run.id,
    ]);
    assert.equal(r.rows.length, 1);
    assert.deepEqual(r.rows[0], { attempt: 2, name: "fresh" });
  });
  // Found lost, it registers again under a new id and keeps working.
  await waitFor(
    () => /registering again/.test(stale.output()),
    30_000,
    () => stale.output(),
  );
  await waitFor(
    () => withDb(server!.databaseUrl, async (c) => (await c.query("select 1 from agent where name = 'stale' and state = 'running'")).rowCount === 1),
    30_000,
    () => "the stale agent did not register again",
  );
});

test("completeTask stores a result once, and never for an attempt that is not the current one", { timeout: 60_000 }, async () => {
  assert.ok(server, "runs after the first test");
  const run = await submitRun(server, { recipe: { steps: [{ id: "w", algorithm: "noop", input: { kind: "range", start: 0, stop: 1 } }] } });
  await waitForRun(server, run.id, 30_000);
  const pool = new pg.Pool({ connectionString: server.databaseUrl });
  try {
    const agentId = (await pool.query<{ id: string }>("select id from agent where name = 'fresh'")).rows[0]!.id;
    // Put the task back to running under two new attempts, as two agents taking it would.
    await pool.query("delete from result where run_id = $1", [run.id]);
    await pool.query("update task set state = 'queued' where run_id = $1", [run.id]);
    const first = (await startTask(pool, run.id, 0, agentId))!;
    const second = (await startTask(pool, run.id, 0, agentId))!;
    assert.equal(second.attempt, first.attempt + 1);
    const value = { value: [42], bytes: null, dtype: null, shape: [], path: null, sha256: null, size: 4 };
    const client = await pool.connect();
    try {
      assert.equal(await completeTask(client, { runId: run.id, partition: 0, attempt: first.attempt }, agentId, value), "fenced");
      assert.equal(await completeTask(client, { runId: run.id, partition: 0, attempt: second.attempt }, agentId, { ...value, value: [7] }), "stored");
      assert.equal(await completeTask(client, { runId: run.id, partition: 0, attempt: second.attempt }, agentId, value), "fenced");
    } finally {
      client.release();
    }
    const rows = await pool.query("select value, attempt from result where run_id = $1", [run.id]);
    assert.deepEqual(rows.rows, [{ value: [7], attempt: second.attempt }]);
  } finally {
    await pool.end();
  }
});
