/**
 * HDF5 frame reads, Lightbook (direct reads where the layout allows, else h5wasm + h5wasm-plugins) vs h5py 3.7 (Debian, with hdf5plugin and
 * the bitshuffle plugin): MB/s of decoded frames and peak memory over what the process held after
 * opening the file, for contiguous, gzip and bitshuffle-LZ4 datasets. Each reader runs in its own
 * process, three times (the page cache is warm after the first); the best time is reported.
 *
 *   node --import tsx bench/hdf5-read.ts [--write] [--frames 32 --side 2048]
 *
 * --write replaces the "HDF5 frame reads" section of BENCHMARKS.md (run under flock /tmp/benchmarks.lock).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURES_SCRIPT, PYTHON } from "../test/analysis/fixtures.ts";
import { frameMallocEnv } from "../kernel/kernelspec/frame-malloc.ts";
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

async function best(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) runs.push(JSON.parse((await run(command, args, { env })).stdout) as Run);
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const frames = arg("--frames", 32);
const side = arg("--side", 2048);
const megabytes = (frames * side * side * 4) / 1e6;
const loadStart = os.loadavg()[0]!.toFixed(1);
const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-h5-"));
const rows: string[] = [];
try {
  for (const layout of ["contiguous", "gzip", "bitshuffle"]) {
    const file = path.join(dir, `${layout}.h5`);
    await run(PYTHON, [FIXTURES_SCRIPT, "big", file, "--layout", layout, "--frames", String(frames), "--shape", String(side), String(side)]);
    const name = layout === "bitshuffle" ? "bitshuffle-LZ4" : layout === "gzip" ? "gzip (level 1)" : layout;
    // A new array per frame (frame(i), h5py's ds[i]), and for the layouts read directly, one array reused (h5py's read_direct).
    for (const into of layout === "bitshuffle" ? [[]] : [[], ["--into"]]) {
      // In the environment kernels and local agents get (glibc reuses freed frames).
      const ours = await best(process.execPath, ["--import", "tsx", READ_FRAMES, file, ...into], { ...process.env, ...frameMallocEnv() });
      const theirs = await best(PYTHON, [path.join(import.meta.dirname, "hdf5_read_h5py.py"), file, ...into], pythonBenchEnv());
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
  `\`node --import tsx bench/hdf5-read.ts --write --frames ${frames} --side ${side}\` — ${frames} uint32 frames of ${side}×${side} (${frameMiB} MiB each,`,
  `${megabytes.toFixed(0)} MB decoded), one chunk per frame, read frame by frame; Lightbook (contiguous and gzip chunks read straight from`,
  "the file, gzip inflated by Node's zlib; bitshuffle-LZ4 through h5wasm 0.10 + h5wasm-plugins) vs Debian's h5py 3.7 + hdf5plugin 4.0.1 +",
  `bitshuffle 0.3.5, each in its own process, best of 3 with a warm page cache, same machine, one run (1-minute load average ${loadStart} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end; ${os.cpus().length} cores).`,
  "Memory: peak RSS minus RSS after opening the file and reading one frame, the peak reset at that point in both processes",
  "(Linux /proc/self/clear_refs), so the libraries' own loading is left out.",
  "",
  "| layout | Lightbook MB/s | h5py MB/s | ratio | Lightbook peak MiB over open | h5py peak MiB over open |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows,
  "",
  "A new array per frame would cost Lightbook page faults on fresh memory: V8 frees ArrayBuffers only when it collects and glibc",
  "hands out and returns allocations this large with mmap. Kernels and local agents therefore start with glibc's mmap and trim",
  "thresholds at 256 MiB (`kernel/kernelspec/frame-malloc.ts`, in kernel.json's `env`), and our reader runs here with the same",
  "environment; h5py runs with the machine's defaults. Reading into one array (`frame(i, into)`, h5py's `read_direct`) leaves",
  "only the copy from the page cache, or the decoding.",
  "",
].join("\n");
console.log(section);
if (process.argv.includes("--write")) await writeBenchmarkSection(HEADING, section);
