/**
 * Shipped functions in sandbox processes (issue 12 item 2): what running a step's function in a
 * child process costs against a named algorithm on the same agent, in the same run.
 *
 *   node --import tsx bench/sandbox.ts            (writes the "## Shipped functions (sandbox)" section of BENCHMARKS.md)
 *
 * One server and one agent (concurrency 4) on a fresh database of LIGHTBOOK_BENCH_DATABASE_URL
 * (default the local PostgreSQL). Over REST, each run waited for by long polling:
 *  1. one-task runs: the named `noop` against the shipped `(x) => null` (every run binds a new
 *     child: the spare, started while the previous run ended), alternated;
 *  2. 400 tasks of 20 ms: the named `sleep` against a shipped 20 ms timer (the run's children are
 *     reused by its tasks), best of 3, alternated.
 * Run alone (flock /tmp/benchmarks.lock).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startServer } from "../test/support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun } from "../test/support/workflow.ts";
import { writeBenchmarkSection } from "./benchmarks-md.ts";
import { freshDatabase, runEnd } from "./workflow-support.ts";
import { quantile } from "./stats.ts";

const CONCURRENCY = 4;
const ONE_TASK_SAMPLES = 30;
const SLEEP_TASKS = 400;
const REPEATS = 3;

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const log = (s: string) => process.stdout.write(`${s}\n`);
const loadNow = () => os.loadavg()[0]!.toFixed(1);

const NAMED_NOOP = { algorithm: "noop" };
const SHIPPED_NOOP = { source: "(x) => null" };
const NAMED_SLEEP = { algorithm: "sleep", params: { ms: 20 } };
const SHIPPED_SLEEP = { source: "(x) => new Promise((resolve) => setTimeout(() => resolve(x), 20))" };

async function main(): Promise<void> {
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load ${loadNow()}`);
  const databaseUrl = await freshDatabase();
  const state = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-"));
  const server = await startServer({ web: false, databaseUrl, stateDir: state, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_LOG_LEVEL: "warn" } });
  const agent = spawnAgent(databaseUrl, "bench-sandbox", {
    concurrency: CONCURRENCY,
    dataRoot: path.join(state, "data"),
    env: { LIGHTBOOK_LOG_LEVEL: "warn", LIGHTBOOK_AGENT_HEARTBEAT_MS: "", LIGHTBOOK_AGENT_LOST_MS: "" },
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await agentReady(agent);
    const timed = async (step: object, stop: number): Promise<{ wall: number; span: number }> => {
      const t = performance.now();
      const run = await submitRun(server, { recipe: { steps: [{ id: "s", ...step, input: { kind: "range", start: 0, stop } }] } });
      await runEnd(server, run.id);
      const wall = performance.now() - t;
      const { rows } = await pool.query<{ ms: number }>(
        "select extract(epoch from max(finished_at) - min(started_at)) * 1000 as ms from task where run_id = $1",
        [run.id],
      );
      return { wall, span: Number(rows[0]!.ms) };
    };

    // The agent's first shipped function: no spare yet, Node starts for it.
    const cold = (await timed(SHIPPED_NOOP, 1)).wall;
    await timed(NAMED_NOOP, 1);
    log(`1. one-task runs (load ${loadNow()}) …`);
    const oneLoad = loadNow();
    const named: number[] = [];
    const shipped: number[] = [];
    for (let i = 0; i < ONE_TASK_SAMPLES; i++) {
      named.push((await timed(NAMED_NOOP, 1)).wall);
      shipped.push((await timed(SHIPPED_NOOP, 1)).wall);
    }
    const [nMed, sMed] = [quantile(named, 0.5), quantile(shipped, 0.5)];
    log(
      `   named ${ms(nMed)} (p95 ${ms(quantile(named, 0.95))}), shipped ${ms(sMed)} (p95 ${ms(quantile(shipped, 0.95))}); cold first shipped run ${ms(cold)}`,
    );

    log(`2. ${SLEEP_TASKS} tasks of 20 ms (load ${loadNow()}) …`);
    const sleepLoad = loadNow();
    const ideal = (SLEEP_TASKS * 20) / CONCURRENCY;
    let bestNamed = { wall: Infinity, span: Infinity };
    let bestShipped = { wall: Infinity, span: Infinity };
    for (let i = 0; i < REPEATS; i++) {
      const n = await timed(NAMED_SLEEP, SLEEP_TASKS);
      if (n.wall < bestNamed.wall) bestNamed = n;
      const s = await timed(SHIPPED_SLEEP, SLEEP_TASKS);
      if (s.wall < bestShipped.wall) bestShipped = s;
    }
    const pct = (x: number) => `${((x / ideal - 1) * 100).toFixed(1)} %`;
    log(
      `   named ${ms(bestNamed.wall)} (${pct(bestNamed.wall)} over ideal ${ms(ideal)}; agent span ${ms(bestNamed.span)}), shipped ${ms(bestShipped.wall)} (${pct(bestShipped.wall)}; span ${ms(bestShipped.span)})`,
    );
    const endLoad = loadNow();

    const section = `## Shipped functions (sandbox)

\`node --import tsx bench/sandbox.ts\` — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, one agent
with concurrency ${CONCURRENCY}, over REST (runs awaited by long polling); \`cat /proc/loadavg\` 1-minute load ${oneLoad} at the start, ${endLoad} at the end
(the machine is shared). Peer: a named algorithm on the same agent in the same run of the benchmark.
Shipped functions run in a sandbox child process (agent/sandbox/): a fresh Node process per run step and slot, reused by the
step's later tasks, with one unbound spare kept started.

| case | named algorithm | shipped function | shipped / named |
| --- | --- | --- | --- |
| one-task run, POST → end (median of ${ONE_TASK_SAMPLES}; load ${oneLoad}) | ${ms(nMed)} (p95 ${ms(quantile(named, 0.95))}) | ${ms(sMed)} (p95 ${ms(quantile(shipped, 0.95))}) | ${(sMed / nMed).toFixed(2)} (+${ms(sMed - nMed)}) |
| ${SLEEP_TASKS} tasks of 20 ms, POST → end (best of ${REPEATS}; ideal ${ms(ideal)}; load ${sleepLoad}) | ${ms(bestNamed.wall)} (${pct(bestNamed.wall)} over ideal) | ${ms(bestShipped.wall)} (${pct(bestShipped.wall)}) | ${(bestShipped.wall / bestNamed.wall).toFixed(2)} |
| same, first start → last end on the agent | ${ms(bestNamed.span)} | ${ms(bestShipped.span)} | ${(bestShipped.span / bestNamed.span).toFixed(2)} |

The agent's very first shipped-function run, with no spare started yet (Node starts for it): ${ms(cold)}. A one-task run
binds the spare (sends the source, compiles it) and pays one IPC round trip per item; the
20 ms runs start ${CONCURRENCY} children (one per slot) and reuse them for the run's other tasks.

`;
    await writeBenchmarkSection("## Shipped functions (sandbox)", section);
    log("wrote BENCHMARKS.md");
  } finally {
    await pool.end();
    stopProcess(agent.process, "SIGTERM");
    await agent.exited;
    await server.dispose();
    await rm(state, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
