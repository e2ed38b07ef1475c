import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 5: kill -9 an agent mid-task: the task is re-run on another agent within 30 s, its result
 * is stored exactly once, and the run completes with every partition. Default heartbeat and
 * lost-after settings, so the measured recovery time is what a user gets.
 */
let server: RunningServer | undefined;
const agents: AgentProcess[] = [];
after(async () => {
  for (const a of agents) stopProcess(a.process);
  await server?.dispose();
});

test("a task whose agent is killed (-9) mid-task is re-run elsewhere within 30 s, stored once", { timeout: 180_000 }, async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
  const defaults = { LIGHTBOOK_AGENT_HEARTBEAT_MS: "", LIGHTBOOK_AGENT_LOST_MS: "" };
  const a = spawnAgent(server.databaseUrl, "victim", { concurrency: 2, env: defaults });
  const b = spawnAgent(server.databaseUrl, "survivor", { concurrency: 2, env: defaults });
  agents.push(a, b);
  await Promise.all([agentReady(a), agentReady(b)]);
  const partitions = 8;
  const run = await submitRun(server, {
    key: "kill-9",
    recipe: { steps: [{ id: "work", algorithm: "sleep", params: { ms: 3000 }, input: { kind: "range", start: 0, stop: partitions } }] },
  });

  // Kill the victim while it runs two tasks.
  const running = await waitForRunning(server.databaseUrl, run.id, 2);
  stopProcess(a.process, "SIGKILL");
  const killedAt = Date.now();
  assert.equal(await a.exited, "SIGKILL");

  const done = await waitForRun(server, run.id, 120_000);
  assert.equal(done.state, "succeeded", JSON.stringify(done));
  assert.equal(done.counts.succeeded, partitions);

  await withDb(server.databaseUrl, async (c) => {
    const results = await c.query<{ partition: number; attempt: number; agent: string }>(
      "select r.partition, r.attempt, a.name as agent from result r join agent a on a.id = r.agent_id where r.run_id = $1 order by r.partition",
      [run.id],
    );
    assert.deepEqual(
      results.rows.map((r) => r.partition),
      Array.from({ length: partitions }, (_, i) => i),
      "one result per partition",
    );
    for (const p of running) {
      const r = results.rows.find((x) => x.partition === p)!;
      assert.equal(r.agent, "survivor", `partition ${p} re-ran on the survivor`);
      assert.equal(r.attempt, 2, `partition ${p} was stored by its second attempt`);
    }
    const restarted = await c.query<{ started_at: Date }>("select started_at from task where run_id = $1 and partition = any($2::int[])", [run.id, running]);
    const recoveryMs = Math.max(...restarted.rows.map((r) => r.started_at.getTime())) - killedAt;
    process.stdout.write(`# recovery after kill -9: ${(recoveryMs / 1000).toFixed(1)} s\n`);
    assert.ok(recoveryMs < 30_000, `re-run within 30 s (took ${recoveryMs} ms)`);
    const victim = await c.query<{ state: string }>("select state from agent where name = 'victim'");
    assert.equal(victim.rows[0]?.state, "lost");
  });
});

/** Partitions of the run that the victim is running, once it runs `n` of them. */
async function waitForRunning(databaseUrl: string, runId: string, n: number): Promise<number[]> {
  let partitions: number[] = [];
  await waitFor(
    () =>
      withDb(databaseUrl, async (c) => {
        const r = await c.query<{ partition: number }>(
          "select t.partition from task t join agent a on a.id = t.agent_id where t.run_id = $1 and t.state = 'running' and a.name = 'victim' order by t.partition",
          [runId],
        );
        partitions = r.rows.map((x) => x.partition);
        return partitions.length >= n;
      }),
    60_000,
    () => "the victim never ran its tasks",
  );
  return partitions;
}
