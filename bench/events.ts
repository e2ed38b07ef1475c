/**
 * The event stream (issue 11, item 3): how soon a stored result reaches a subscriber, and what a
 * one-task `workflow.map` in a cell costs now that cells are pushed the run's end.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/events.ts [--before=<p50 ms>,<p95 ms>]
 *
 * `--cell-only` measures only the cell (run that way on a checkout from before the stream, its
 * figures are what `--before` takes). Writes the "## Event stream" section of BENCHMARKS.md
 * unless `--cell-only`.
 */
import os from "node:os";
import { KernelManager, SessionManager, type Kernel } from "@jupyterlab/services";
import { serverSettings } from "../test/support/jupyter.ts";
import { startServer, type RunningServer } from "../test/support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, type AgentProcess } from "../test/support/workflow.ts";
import { LIGHTBOOK_KERNEL } from "../contracts/kernelspec.ts";
import { quantile } from "./stats.ts";
import "./workflow-support.ts";

const CELL_SAMPLES = 100;
const WARM_UP = 30;
const TASKS = 1000;

const ms = (x: number) => `${x.toFixed(1)} ms`;
const load = () => os.loadavg()[0]!.toFixed(1);

async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<number> {
  const t0 = performance.now();
  let failed = "";
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "error") failed = JSON.stringify(msg.content);
  };
  const reply = await future.done;
  if (reply.content.status !== "ok") throw new Error(`cell failed: ${failed}`);
  return performance.now() - t0;
}

/** Median and p95 of a one-task map in a cell (and of an empty cell). */
async function cell(server: RunningServer): Promise<{ single: number[]; empty: number[]; load: string }> {
  const settings = serverSettings(server);
  const kernels = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  const kernel = (await sessions.startNew({ path: "bench.ipynb", name: "bench.ipynb", type: "notebook", kernel: { name: LIGHTBOOK_KERNEL.name } })).kernel!;
  const mapCell = (i: number) => execute(kernel, `(await workflow.map([${i}], "noop", {}, { progress: false })).length`);
  try {
    // A server, agent and kernel that have served a while (their code compiled by V8's optimizing
    // tiers): the first few dozen maps of a fresh process take up to twice as long.
    for (let i = 0; i < WARM_UP; i++) {
      await mapCell(-1 - i);
      await execute(kernel, "1");
    }
    const at = load();
    const empty: number[] = [];
    const single: number[] = [];
    // In turn, so a change in the machine's load weighs on both alike.
    for (let i = 0; i < CELL_SAMPLES; i++) {
      single.push(await mapCell(i));
      empty.push(await execute(kernel, "1"));
    }
    return { single, empty, load: at };
  } finally {
    await sessions.shutdownAll();
    kernels.dispose();
  }
}

/** Stored → event: the stored result's transaction start (the event's `created`, same clock) to its arrival at a subscriber. */
async function storedToEvent(server: RunningServer): Promise<{ latencies: number[]; load: string }> {
  const { subscribe } = await import("../test/support/events.ts");
  const sub = await subscribe(server);
  const arrived = new Map<number, number>();
  sub.ws.on("message", () => {
    const e = sub.events.at(-1)!;
    arrived.set(e.seq, Date.now());
  });
  const at = load();
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "s", algorithm: "sleep", params: { ms: 10 }, input: { kind: "range", start: 0, stop: TASKS } }] },
  });
  await sub.until((e) => e.kind === "run.state" && e.run_id === run.id && e.state === "succeeded", 300_000);
  await sub.close();
  const latencies = sub.events
    .filter((e) => e.kind === "task.state" && e.state === "succeeded" && e.run_id === run.id)
    .map((e) => arrived.get(e.seq)! - Date.parse(e.created));
  return { latencies, load: at };
}

async function main(): Promise<void> {
  const cellOnly = process.argv.includes("--cell-only");
  const before = process.argv.find((a) => a.startsWith("--before="))?.slice("--before=".length);
  const server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", LIGHTBOOK_LOG_LEVEL: "warn" } });
  const agents: AgentProcess[] = [];
  try {
    const agent = spawnAgent(server.databaseUrl, "bench-events", { concurrency: 4, env: { LIGHTBOOK_LOG_LEVEL: "warn" } });
    agents.push(agent);
    await agentReady(agent);
    const c = await cell(server);
    const cellLine = `one-task map in a cell: median ${ms(quantile(c.single, 0.5))}, p95 ${ms(quantile(c.single, 0.95))} (empty cell ${ms(quantile(c.empty, 0.5))}; load ${c.load})`;
    console.log(cellLine);
    if (cellOnly) return;
    const s = await storedToEvent(server);
    const p50 = quantile(s.latencies, 0.5);
    const p99 = quantile(s.latencies, 0.99);
    console.log(`stored → event: p50 ${ms(p50)}, p99 ${ms(p99)} over ${s.latencies.length} results (load ${s.load})`);
    const [b50, b95] = (before ?? "").split(",").map(Number);
    const beforeCell = before ? `${ms(b50!)} (${ms(b95!)})` : "not measured";
    const ratio = before ? (quantile(c.single, 0.5) / b50!).toFixed(2) : "";
    await (
      await import("./benchmarks-md.ts")
    ).writeBenchmarkSection(
      "## Event stream",
      `## Event stream

\`flock /tmp/benchmarks.lock node --import tsx bench/events.ts --before=<p50>,<p95>\` — ${new Date().toISOString().slice(0, 10)}, 2 cores, Node ${process.version}, PostgreSQL on 127.0.0.1; server, one agent (concurrency 4), kernel and database on one shared machine. "Before" is what \`--before\` was given: the same cell measured by \`bench/events.ts --cell-only\` on a commit before the stream (long polling), or the one-task map row of "Distributed sub-workflows" measured on this machine when idle.

| measure | before (long polling) | after (event stream) | ratio |
| --- | --- | --- | --- |
| result stored → event at a subscriber, ${s.latencies.length} results of 10 ms tasks, p50 / p99 (load ${s.load}) | | ${ms(p50)} / ${ms(p99)} | |
| one-task \`workflow.map\` in a cell, median (p95), ${CELL_SAMPLES} samples after ${WARM_UP} warm-up maps (load ${c.load}); an empty cell takes ${ms(quantile(c.empty, 0.5))} | ${beforeCell} | ${ms(quantile(c.single, 0.5))} (${ms(quantile(c.single, 0.95))}) | ${ratio} |

"Stored" is the start of the transaction that stores the result (the event's \`created\`, PostgreSQL's clock, on the same
machine as the subscriber), so the figure includes that statement and its commit. The cell's map now waits on the run's
events (WebSocket, \`kernel/workflow/events.ts\`) and skips the run read when the run's end event says it succeeded.
`,
    );
  } finally {
    for (const a of agents) stopProcess(a.process);
    await server.dispose();
  }
}

await main();
// The Jupyter client's kernel and session managers keep timers: leave, so the benchmark lock is released.
process.exit(0);
