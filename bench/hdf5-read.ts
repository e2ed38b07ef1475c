/**
 * HDF5 frame reads, Lightbook (direct reads where the layout allows, else h5wasm + h5wasm-plugins) vs h5py 3.7 (Debian, with hdf5plugin and
 * the bitshuffle plugin): MB/s of decoded frames and peak memory over what the process held after
 * opening the file, for contiguous, gzip and bitshuffle-LZ4 datasets, and bitshuffle-LZ4 Eiger 4M
 * frames of low counts (what an Eiger writes at short exposures). The readers run in turn, each in
 * its own process, --runs times (the page cache is warm after the first); the best time is reported.
 *
 *   node --import tsx bench/hdf5-read.ts [--write] [--frames 32 --side 2048 --runs 3]
 *
 * --write replaces the "HDF5 frame reads" section of BENCHMARKS.md (run under flock /tmp/benchmarks.lock).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURES_SCRIPT, PYTHON } from "../test/analysis/fixtures.ts";
import { frameMallocEnv } from "../analysis/frame-malloc.ts";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";

interface Run {
  seconds: number;
  rssAfterOpen: number;
  peakRss: number;
}

const run = promisify(execFile);
/** Our reader's process: reads every frame and reports like hdf5_read_h5py.py. */
const READ_FRAMES = path.join(import.meta.dirname, "..", "test", "analysis", "read-frames.ts");
const HEADING = "## HDF5 frame reads";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

type Reader = [command: string, args: string[], env: NodeJS.ProcessEnv];

/** The best of `runs` runs of each reader, the two interleaved so that both see the same load. */
async function best(readers: Reader[]): Promise<Run[]> {
  const results: Run[][] = readers.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [r, [command, args, env]] of readers.entries()) results[r]!.push(JSON.parse((await run(command, args, { env })).stdout) as Run);
  }
  return results.map((all) => all.reduce((a, b) => (b.seconds < a.seconds ? b : a)));
}

const frames = arg("--frames", 32);
const side = arg("--side", 2048);
const runs = arg("--runs", 3);
const EIGER_4M = [2070, 2167] as const;
const loadStart = os.loadavg()[0]!.toFixed(1);
const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-h5-"));
const rows: string[] = [];
try {
  for (const layout of ["contiguous", "gzip", "bitshuffle", "lowcount"]) {
    const file = path.join(dir, `${layout}.h5`);
    const shape = layout === "lowcount" ? EIGER_4M : [side, side];
    const megabytes = (frames * shape[0] * shape[1] * 4) / 1e6;
    const make = layout === "lowcount" ? ["lowcount", file] : ["big", file, "--layout", layout];
    await run(PYTHON, [FIXTURES_SCRIPT, ...make, "--frames", String(frames), "--shape", String(shape[0]), String(shape[1])]);
    const name = {
      contiguous: "contiguous",
      gzip: "gzip (level 1)",
      bitshuffle: "bitshuffle-LZ4",
      lowcount: `bitshuffle-LZ4, Eiger 4M ${shape.join("×")} low counts`,
    }[layout];
    // A new array per frame (frame(i), h5py's ds[i]), and one array reused (h5py's read_direct).
    for (const into of [[], ["--into"]]) {
      // Ours in the environment kernels and local agents get (glibc reuses freed frames).
      const [ours, theirs] = (await best([
        [process.execPath, ["--import", "tsx", READ_FRAMES, file, ...into], { ...process.env, ...frameMallocEnv() }],
        [PYTHON, [path.join(import.meta.dirname, "hdf5_read_h5py.py"), file, ...into], pythonBenchEnv()],
      ])) as [Run, Run];
      const mib = (r: Run) => ((r.peakRss - r.rssAfterOpen) / 2 ** 20).toFixed(0);
      rows.push(
        `| ${name}${into.length > 0 ? ", into one array" : ""} | ${(megabytes / ours.seconds).toFixed(0)} | ${(megabytes / theirs.seconds).toFixed(0)} | ${(theirs.seconds / ours.seconds).toFixed(2)}× | ${mib(ours)} | ${mib(theirs)} |`,
      );
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const frameMiB = ((side * side * 4) / 2 ** 20).toFixed(0);
const section = [
  HEADING,
  "",
  `\`node --import tsx bench/hdf5-read.ts --write --frames ${frames} --side ${side} --runs ${runs}\` — ${frames} uint32 frames of ${side}×${side} (${frameMiB} MiB each),`,
  `and ${frames} Eiger 4M frames of Poisson counts of mean 0.05–1 with a few bright spots and a module gap (\`make_fixtures.py lowcount\`),`,
  "one chunk per frame, read frame by frame; Lightbook reads every layout straight from the file (gzip inflated by Node's zlib,",
  "bitshuffle-LZ4 by analysis/hdf5/bitshuffle-lz4.ts: LZ4 in TypeScript, the bit unshuffle in WebAssembly SIMD) vs Debian's h5py 3.7 + hdf5plugin 4.0.1 +",
  `bitshuffle 0.3.5 (SSE2/AVX2 C), each in its own process, the two in turn, best of ${runs} with a warm page cache, same machine, one run (1-minute load average ${loadStart} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end; ${os.cpus().length} cores shared with other work).`,
  "Memory: peak RSS minus RSS after opening the file and reading one frame, the peak reset at that point in both processes",
  "(Linux /proc/self/clear_refs), so the libraries' own loading is left out.",
  "",
  "| layout | Lightbook MB/s | h5py MB/s | ratio | Lightbook peak MiB over open | h5py peak MiB over open |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows,
  "",
  "A new array per frame would cost Lightbook page faults on fresh memory: V8 frees ArrayBuffers only when it collects and glibc",
  "hands out and returns allocations this large with mmap. Kernels and local agents therefore start with glibc's mmap and trim",
  "thresholds at 256 MiB (`analysis/frame-malloc.ts`, in kernel.json's `env`), and our reader runs here with the same",
  "environment, and with V8's young generation at its Node 20–23 size (`tuneFrameCollection`: on Node 24 dropped frames waited for a",
  "mark-compact and this row was 0.37×); h5py runs with the machine's defaults. Reading into one array (`frame(i, into)`, h5py's `read_direct`) leaves",
  "only the copy from the page cache, or the decoding. Contiguous data is one positioned read in both readers (the same",
  "system call), so its ratio is the page cache's copy and the memory it lands in, not the reader; the 2-core machine is shared,",
  "so single runs differ by up to 2× (best of the runs above, ours and h5py's interleaved).",
  "",
].join("\n");
console.log(section);
if (process.argv.includes("--write")) await writeBenchmarkSection(HEADING, section);
