/**
 * 1D azimuthal integration frames/s, Lightbook vs pyFAI 0.21 (Debian), same geometry with tilts,
 * mask, solid-angle and polarization corrections, unit (2θ°) and bin count, pyFAI single-threaded
 * (OMP_NUM_THREADS=1; Node runs one thread). Also the fraction of the measured copy bandwidth that
 * each Lightbook method reaches, from the bytes it touches per frame; and CSR across threads:
 * Lightbook's IntegrationPool against pyFAI's OpenMP at the same thread count.
 *
 *   node --import tsx bench/azint.ts [--write]
 *
 * --write replaces the "Azimuthal integration" section of BENCHMARKS.md (under flock by the caller).
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AzimuthalIntegrator, type Geometry, IntegrationPool, type IntegrationMethod, sharedArray } from "../analysis/azint/index.ts";

const FRAMES = 20;
/** Threads of the pool, against one (the machine has 2 cores). */
const THREADS = 2;
/** Runs of pyFAI's script per row, the best kept. */
const ROUNDS = 3;
const NPT = 1000;
const SHAPES: [string, number, number][] = [
  ["2048×2048", 2048, 2048],
  ["Eiger2 4M 2162×2068", 2162, 2068],
];
const METHODS: IntegrationMethod[] = ["csr", "histogram"];
/** Bytes read per pixel per frame: uint32 frame + what each method reads beside it. */
const BYTES_PER_PIXEL: Record<IntegrationMethod, number> = {
  csr: 4 + 4, // raw value + its column index in the CSR matrix
  histogram: 4 + 4, // raw value + its bin (int32, kept from the setup)
};

function geometry(rows: number, cols: number): Geometry {
  return {
    dist: 0.12,
    poni1: rows * 75e-6 * 0.52,
    poni2: cols * 75e-6 * 0.47,
    rot1: 0.01,
    rot2: -0.02,
    rot3: 0.03,
    wavelength: 1e-10,
    pixel1: 75e-6,
    pixel2: 75e-6,
    shape: [rows, cols],
  };
}

function moduleGaps(rows: number, cols: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if ((c >= 1030 && c < 1040) || (r >= 514 && r < 551)) mask[r * cols + c] = 1;
  return mask;
}

/** Copy bandwidth (bytes read + written per second) of a 256 MB typed-array copy, best of 5. */
function copyBandwidth(): number {
  const a = new Float64Array(32 << 20).fill(1);
  const b = new Float64Array(a.length);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    b.set(a);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * a.byteLength) / (best / 1000);
}

/** pyFAI's frames/s at each thread count: best of ROUNDS runs, the counts taken in turn (the machine is shared). */
async function pyFaiFps(rows: number, cols: number, method: IntegrationMethod, threadCounts: readonly number[]): Promise<number[]> {
  // OPENBLAS_* are unset for this one command, as /work/.library/env/README.md advises for speed runs.
  const { OPENBLAS_CORETYPE: _c, OPENBLAS_L2_SIZE: _l, ...env } = process.env;
  const script = path.join(import.meta.dirname, "azint_pyfai.py");
  const best = threadCounts.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, threads] of threadCounts.entries()) {
      const { stdout } = await promisify(execFile)("/usr/bin/python3", [script, String(rows), String(cols), method, String(NPT), String(FRAMES)], {
        env: { ...env, OMP_NUM_THREADS: String(threads) },
        maxBuffer: 1 << 20,
      });
      best[k] = Math.max(best[k]!, (JSON.parse(stdout) as { fps: number }).fps);
    }
  }
  return best;
}

/**
 * Median seconds of each run over FRAMES calls after one warm-up, the runs called in turn for each
 * frame index, so that the machine's other load falls on all of them alike.
 */
function medianSeconds(runs: ((f: number) => unknown)[]): number[] {
  for (const run of runs) run(FRAMES - 1);
  const times = runs.map((): number[] => []);
  for (let f = 0; f < FRAMES; f++) {
    for (const [k, run] of runs.entries()) {
      const t = performance.now();
      run(f);
      times[k]!.push((performance.now() - t) / 1000);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[FRAMES >> 1]!);
}

const loadAtStart = os.loadavg()[0]!;
const rowsOut: string[] = [];
const threadRows: string[] = [];
const bandwidth = copyBandwidth();
const pool = new IntegrationPool(THREADS);
for (const [label, rows, cols] of SHAPES) {
  const ai = new AzimuthalIntegrator(geometry(rows, cols));
  const mask = moduleGaps(rows, cols);
  // FRAMES different frames, as from a detector (pyFAI's script too), in shared memory, where a
  // reader puts frames for the pool (dataset.frame(i, into)).
  const frames = Array.from({ length: FRAMES }, (_, f) => {
    const frame = sharedArray(Uint32Array, rows * cols);
    for (let i = 0; i < frame.length; i++) frame[i] = 40 + (((i + f) * 2654435761) >>> 28);
    return frame;
  });
  for (const method of METHODS) {
    const t0 = performance.now();
    const integrator = ai.prepare1d({ npt: NPT, unit: "2th_deg", method, mask, polarizationFactor: 0.99, correctSolidAngle: true });
    const setup = (performance.now() - t0) / 1000;
    // CSR across threads too: the pool a frame at a time, and all FRAMES frames as one batch
    // (every frame's tasks shared out together); per frame.
    const [seconds, ...parallel] = medianSeconds([
      (f) => integrator.integrate(frames[f]!),
      ...(method === "csr" ? [(f: number) => integrator.integrateParallel([frames[f]!], pool), () => integrator.integrateParallel(frames, pool)] : []),
    ]);
    const ours = 1 / seconds!;
    const [theirs, theirsThreads] = await pyFaiFps(rows, cols, method, method === "csr" ? [1, THREADS] : [1]);
    const fraction = (BYTES_PER_PIXEL[method] * rows * cols) / seconds! / bandwidth;
    rowsOut.push(
      `| ${label} | ${method} | ${ours.toFixed(1)} | ${theirs!.toFixed(1)} | **${(ours / theirs!).toFixed(2)}×** | ${(100 * fraction).toFixed(0)} % | ${setup.toFixed(2)} s |`,
    );
    console.log(rowsOut.at(-1));
    if (method !== "csr") continue;
    const one = 1 / parallel[0]!;
    const batch = FRAMES / parallel[1]!;
    threadRows.push(
      `| ${label} | 1 | ${ours.toFixed(1)} | — | ${theirs!.toFixed(1)} | **${(ours / theirs!).toFixed(2)}×** | 1.00× | 1.00× |`,
      `| ${label} | ${THREADS} | ${one.toFixed(1)} | ${batch.toFixed(1)} | ${theirsThreads!.toFixed(1)} | **${(one / theirsThreads!).toFixed(2)}×** | ` +
        `**${(one / ours).toFixed(2)}×** (batch ${(batch / ours).toFixed(2)}×) | ${(theirsThreads! / theirs!).toFixed(2)}× |`,
    );
    console.log(threadRows.slice(-2).join("\n"));
  }
}
await pool.close();

const section = [
  "## Azimuthal integration (1D)",
  "",
  "`node --import tsx bench/azint.ts --write` — Lightbook vs Debian's pyFAI 0.21.3 on the same machine in one run,",
  `${FRAMES} different uint32 frames after one warm-up (frames/s from the median frame time), ${NPT} bins in 2θ°, geometry with all three tilts, module-gap mask, solid-angle and`,
  `polarization corrections, no pixel splitting; pyFAI with \`OMP_NUM_THREADS=1\` (Node runs one thread), best of ${ROUNDS} runs. Bandwidth fraction:`,
  `bytes read per frame (CSR: frame + column indices, 8 B/pixel; histogram: frame + each pixel's bin, 8 B/pixel) / time,`,
  `over a measured typed-array copy bandwidth of ${(bandwidth / 1e9).toFixed(1)} GB/s (read + write). Setup: building the lookup and corrections once.`,
  `Load average at start: ${loadAtStart.toFixed(2)}, at the end: ${os.loadavg()[0]!.toFixed(2)}, on ${os.cpus().length} cores (shared with other work).`,
  "",
  "| frame | method | Lightbook frames/s | pyFAI frames/s | ratio | of copy bandwidth | Lightbook setup |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rowsOut,
  "",
  `Across threads (CSR, same frames and options): Lightbook's \`IntegrationPool\` of ${THREADS} threads (the calling one and a worker) splits each`,
  'frame\'s CSR rows into chunks that the threads take from one counter, the frames in SharedArrayBuffers (read in place); "batch" integrates',
  `all ${FRAMES} frames in one call. One thread, the pool and the batch are timed in turn on each frame, so the machine's other load falls on`,
  `all three alike. pyFAI: the same script with \`OMP_NUM_THREADS\` = the thread count (its Cython CSR engine is OpenMP-parallel), best of ${ROUNDS}`,
  "runs at each count taken in turn. Results across threads equal one thread's bit for bit (test/analysis/azint-threads.test.ts).",
  "Goal (issue 12, item 18): Lightbook on 2 threads ≥ 1.8× one thread on 2 cores.",
  "",
  "| frame | threads | Lightbook frames/s | Lightbook batch frames/s | pyFAI frames/s | ratio | Lightbook vs 1 thread | pyFAI vs 1 thread |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...threadRows,
  "",
].join("\n");
console.log(`\n${section}`);

if (process.argv.includes("--write")) {
  const file = path.join(import.meta.dirname, "..", "BENCHMARKS.md");
  const old = await readFile(file, "utf8").catch(() => "# Benchmarks\n\n");
  const start = old.indexOf("## Azimuthal integration (1D)");
  const end = start < 0 ? -1 : old.indexOf("\n## ", start + 1);
  const updated = start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start)}${section}${end < 0 ? "" : old.slice(end)}`;
  await writeFile(file, updated);
}
