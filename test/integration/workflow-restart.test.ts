import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 5: restart the server mid-run and kill every database connection (pg_terminate_backend):
 * no task is lost, the run completes, every partition is stored once.
 */
const servers: RunningServer[] = [];
const agents: AgentProcess[] = [];
after(async () => {
  for (const a of agents) stopProcess(a.process);
  for (const s of servers) await s.dispose();
});

test("a server restart and terminated connections mid-run lose no task", { timeout: 240_000 }, async () => {
  const first = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
  servers.push(first);
  const a = spawnAgent(first.databaseUrl, "a", { concurrency: 2 });
  const b = spawnAgent(first.databaseUrl, "b", { concurrency: 2 });
  agents.push(a, b);
  await Promise.all([agentReady(a), agentReady(b)]);
  const partitions = 60;
  const run = await submitRun(first, {
    key: "restart",
    recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 400 }, input: { kind: "range", start: 0, stop: partitions } }] },
  });
  const succeeded = () =>
    withDb(first.databaseUrl, async (c) => (await c.query<{ succeeded: number }>("select succeeded from run where id = $1", [run.id])).rows[0]!.succeeded);
  await waitFor(
    async () => (await succeeded()) >= 5,
    60_000,
    () => "no progress before the restart",
  );

  // Restart the server: same database and state directory.
  assert.equal(await first.stop(), 0);
  await waitFor(
    async () => (await succeeded()) >= 15,
    60_000,
    () => "agents stopped working while the server was down",
  );
  const second = await startServer({
    web: false,
    databaseUrl: first.databaseUrl,
    stateDir: first.stateDir,
    token: first.token,
    env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" },
  });
  servers.push(second);

  // Kill every connection of every process to this database, twice, while tasks run (after the
  // processes have connected again).
  const others = "from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()";
  for (let i = 0; i < 2; i++) {
    await waitFor(
      async () => (await succeeded()) >= 25 + i * 10,
      60_000,
      () => "no progress between terminations",
    );
    await waitFor(
      () => withDb(first.databaseUrl, async (c) => ((await c.query(`select 1 ${others}`)).rowCount ?? 0) >= 3),
      30_000,
      () => "nobody reconnected",
    );
    const killed = await withDb(first.databaseUrl, (c) => c.query(`select pg_terminate_backend(pid) ${others}`));
    assert.ok((killed.rowCount ?? 0) >= 3);
  }

  const done = await waitForRun(second, run.id, 120_000);
  assert.equal(done.state, "succeeded", JSON.stringify(done));
  await withDb(first.databaseUrl, async (c) => {
    const r = await c.query<{ n: number; distinct: number }>(
      "select count(*)::int as n, count(distinct partition)::int as distinct from result where run_id = $1",
      [run.id],
    );
    assert.deepEqual(r.rows[0], { n: partitions, distinct: partitions });
    const t = await c.query<{ n: number }>("select count(*)::int as n from task where run_id = $1 and state <> 'succeeded'", [run.id]);
    assert.equal(t.rows[0]!.n, 0);
  });
  assert.equal(a.process.exitCode, null, `agent a is still running:\n${a.output().slice(-2000)}`);
  assert.equal(b.process.exitCode, null, `agent b is still running:\n${b.output().slice(-2000)}`);
});
