/**
 * Server-side "Run all" (issue 11): what the runner costs over the kernel's own execution time.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/notebook-run.ts [--write] [--trials 5]
 *
 * One server, one 50-cell notebook of real cells (arrays, sums, sorting, histograms, prints and
 * results), one session kernel. Each trial, in turn:
 *  - runner: POST /api/lightbook/notebooks/{path}/executions {"all": true} → GET …/executions?wait=
 *    answers with every execution done, i.e. every cell's outputs stored in the notebook;
 *  - direct: the same cells on the same kernel process, sent by jupyter_client (Debian's, as
 *    nbclient drives kernels) through the kernel's connection file, no server in the path, from
 *    the first execute_request to the last reply and idle status.
 * Each run starts once the kernel is quiet (the type checks of the run before are done).
 * Reported: medians over the trials and their ratio, with the machine's load.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";
import { quantile } from "./stats.ts";
import { freshDatabase } from "./workflow-support.ts";
import { codeCell, executionsWhenSettled, notebookOf, putNotebook, runCells, storedNotebook, type CellSpec } from "../test/support/notebooks.ts";
import { startServer } from "../test/support/server.ts";
import { api } from "../test/support/workflow.ts";

const CELLS = 50;
const FILE = "bench-run-all.ipynb";
const HEADING = "## Server-side Run all (50-cell notebook)";

/** Cells as a beamline notebook has them: data made, reduced, sorted, binned, printed, shown. */
function cells(): CellSpec[] {
  const specs: CellSpec[] = [
    {
      id: "setup",
      source: "const N = 20_000;\nconst wave = (f: number) => Float64Array.from({ length: N }, (_, k) => Math.sin(k * f * 1e-3) + 0.1 * Math.cos(k * 7e-3));",
    },
  ];
  for (let i = 1; specs.length < CELLS; i++) {
    const kinds = [
      `const a${i} = wave(${i});\nconsole.log("made", a${i}.length, "samples");`,
      `let s${i} = 0;\nfor (const v of a${i}) s${i} += v * v;\nconsole.log("rms", Math.sqrt(s${i} / N).toFixed(4));\ns${i}`,
      `const sorted${i} = Array.from(a${i}).sort((x, y) => x - y);\n({ min: sorted${i}[0], median: sorted${i}[N >> 1], max: sorted${i}[N - 1] })`,
      `const h${i} = new Uint32Array(64);\nfor (const v of a${i}) h${i}[Math.max(0, Math.min(63, Math.floor((v + 1.1) * 29)))]++;\nArray.from(h${i}.slice(24, 40))`,
      `for (let k = 0; k < 20; k++) console.log("row", k, a${i}[k * 997].toFixed(6));`,
    ];
    for (const source of kinds) if (specs.length < CELLS) specs.push({ id: `c${specs.length}`, source });
  }
  return specs;
}

const run = promisify(execFile);

/** CPU time (ms) of the process whose command line names `needle` (Linux /proc; utime + stime at 100 Hz). */
async function processCpuMs(needle: string): Promise<() => Promise<number>> {
  for (const pid of (await readdir("/proc")).filter((d) => /^\d+$/.test(d))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.includes(needle) || !cmdline.includes("kernel/main.ts")) continue;
    return async () => {
      const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
  }
  throw new Error(`no kernel process with ${needle} in its command line`);
}

/**
 * Until the kernel has used no CPU for 200 ms: a run's type checks go on in the kernel's language
 * worker after its last reply, and would otherwise weigh on whichever run comes next.
 */
async function kernelQuiet(cpuMs: () => Promise<number>): Promise<void> {
  for (let last = await cpuMs(), tries = 0; tries < 300; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await cpuMs();
    if (now - last === 0) return;
    last = now;
  }
  throw new Error("the kernel did not go quiet within a minute");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { write: { type: "boolean", default: false }, trials: { type: "string", default: "7" } } });
  const trials = Number(values.trials);
  const loadBefore = loadavg()[0]!;
  const server = await startServer({ web: false, databaseUrl: await freshDatabase(), env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
  const dir = await mkdtemp(path.join(tmpdir(), "lightbook-bench-run-all-"));
  try {
    const specs = cells();
    await putNotebook(server, FILE, notebookOf(specs));
    const cellsFile = path.join(dir, "cells.json");
    await writeFile(cellsFile, JSON.stringify(specs.map((c) => c.source)));

    const runner = async (): Promise<number> => {
      const start = performance.now();
      const queued = await runCells(server, FILE, { all: true });
      if (queued.status !== 202) throw new Error(`POST executions: ${queued.status} ${JSON.stringify(queued.body)}`);
      const ids = new Set(queued.body.executions!.map((e) => e.id));
      for (;;) {
        const executions = (await executionsWhenSettled(server, FILE)).filter((e) => ids.has(e.id));
        if (executions.every((e) => e.state === "done")) {
          const failed = executions.find((e) => e.status !== "ok");
          if (failed) throw new Error(`cell ${failed.cell_id} ended ${failed.status}`);
          return performance.now() - start;
        }
      }
    };
    // The first run starts the session's kernel and warms it; its outputs must all be stored.
    await runner();
    const stored = await storedNotebook(server, FILE);
    if (specs.slice(1).some((c) => codeCell(stored, c.id).outputs.length === 0)) throw new Error("a cell's outputs were not stored");

    const sessions = (await api<{ path: string; kernel: { id: string } }[]>(server, "GET", "/api/sessions")).body;
    const kernelId = sessions.find((s) => s.path === FILE)!.kernel.id;
    const connectionFile = path.join(server.stateDir, "runtime", `kernel-${kernelId}.json`);
    const direct = async (): Promise<number> => {
      const { stdout } = await run("/usr/bin/python3", [path.join(import.meta.dirname, "notebook-direct-driver.py"), connectionFile, cellsFile], {
        env: pythonBenchEnv(),
      });
      return (JSON.parse(stdout) as { ms: number }).ms;
    };
    await direct();
    const kernelCpu = await processCpuMs(connectionFile);

    const runnerMs: number[] = [];
    const directMs: number[] = [];
    for (let t = 0; t < trials; t++) {
      // In turn, each first every other trial, so a change in the machine's load weighs on both alike.
      const quietly = async (f: () => Promise<number>) => {
        await kernelQuiet(kernelCpu);
        return f();
      };
      if (t % 2 === 0) directMs.push(await quietly(direct));
      runnerMs.push(await quietly(runner));
      if (t % 2 === 1) directMs.push(await quietly(direct));
      process.stderr.write(`trial ${t + 1}: direct ${directMs.at(-1)!.toFixed(0)} ms, runner ${runnerMs.at(-1)!.toFixed(0)} ms\n`);
    }
    const loadAfter = loadavg()[0]!;
    const median = (xs: number[]) => quantile(xs, 0.5);
    // Paired: each trial's runner time over the direct time next to it, so load swings cancel out.
    const ratio = median(runnerMs.map((r, i) => r / directMs[i]!));
    const rows = [
      `| kernel alone (jupyter_client on the kernel's connection file) | ${median(directMs).toFixed(0)} | ${Math.min(...directMs).toFixed(0)} |`,
      `| server-side Run all (POST executions → all done and stored) | ${median(runnerMs).toFixed(0)} | ${Math.min(...runnerMs).toFixed(0)} |`,
    ];
    const section = `${HEADING}

\`flock /tmp/benchmarks.lock node --import tsx bench/notebook-run.ts --write --trials ${trials}\` — ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, Node ${process.version};
one notebook of ${CELLS} TypeScript cells (20,000-sample arrays made, summed, sorted and binned; prints and results), on one session kernel;
${trials} trials, the two in turn (each first every other trial) on the same kernel process, each started once the kernel had used no CPU for 200 ms (its type checks of the run before done) (1-minute load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end; the 2-core machine is shared).
Both send every cell at once and wait for every reply and idle status; the runner's time also holds the HTTP requests, the
reduction of every iopub message to nbformat outputs and the last cell's write into the stored notebook (earlier cells' writes overlap later cells).

| how | median ms | best ms |
| --- | --- | --- |
${rows.join("\n")}

Runner over kernel, the median of the trials' ratios: **${ratio.toFixed(3)}×** (${((ratio - 1) * 100).toFixed(1)} % over the kernel's own time; the target is ≤ 5 %).
Per trial: ${runnerMs.map((r, i) => (r / directMs[i]!).toFixed(3)).join(", ")}; best over best: ${(Math.min(...runnerMs) / Math.min(...directMs)).toFixed(3)}×.
Below 1× means the server's runner (Node) drives the kernel faster than jupyter_client does (Python, which decodes and checks the signature of every message of the 50 cells); the kernel's own work is the same in both.
At this load a trial's ratio swings by more than the 5 % to be shown, so the figure is an estimate, not a verdict.
`;
    process.stdout.write(`${section}\n`);
    if (values.write) await writeBenchmarkSection(HEADING, section);
  } finally {
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
