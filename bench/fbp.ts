/**
 * Filtered back-projection seconds per slice, Lightbook vs scikit-image 0.19 (Debian)
 * `iradon(filter_name="ramp", circle=True)`, same float64 sinogram, one thread each.
 *
 *   node --import tsx bench/fbp.ts [--write] [--size 2048 --angles 2048]
 *
 * --write replaces the "Tomography: FBP" section of BENCHMARKS.md (run under flock /tmp/benchmarks.lock).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fbp } from "../analysis/tomo/fbp.ts";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const SIZE = arg("--size", 2048);
const ANGLES = arg("--angles", 2048);
const HEADING = "## Tomography: FBP";

/** A sinogram of a few point-like and extended objects: sinusoidal traces, as real scans give. */
function sinogram(size: number, count: number): Float64Array {
  const data = new Float64Array(size * count);
  const objects = Array.from({ length: 12 }, (_, k) => ({ r: (0.05 + 0.03 * k) * size, phase: k * 0.7, width: 2 + (k % 4) * 6, value: 1 + k / 6 }));
  for (let a = 0; a < count; a++) {
    const theta = (Math.PI * a) / count;
    for (const o of objects) {
      const c = size / 2 + o.r * Math.cos(theta + o.phase);
      for (let i = Math.max(0, Math.floor(c - 3 * o.width)); i < Math.min(size, Math.ceil(c + 3 * o.width)); i++) {
        data[i * count + a]! += o.value * Math.exp(-(((i - c) / o.width) ** 2));
      }
    }
  }
  return data;
}

const data = sinogram(SIZE, ANGLES);
const angles = Float64Array.from({ length: ANGLES }, (_, i) => (180 * i) / ANGLES);
const ours = (() => {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    fbp({ data, shape: [SIZE, ANGLES] }, { angles });
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return best;
})();

const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-fbp-"));
let theirs: number;
try {
  const file = path.join(dir, "sinogram.bin");
  await writeFile(file, new Uint8Array(data.buffer));
  const { stdout } = await promisify(execFile)(
    "/usr/bin/python3",
    [path.join(import.meta.dirname, "fbp_skimage.py"), file, String(SIZE), String(ANGLES), "1"],
    { env: pythonBenchEnv() },
  );
  theirs = Number(stdout.trim());
} finally {
  await rm(dir, { recursive: true, force: true });
}

const section = [
  HEADING,
  "",
  `\`node --import tsx bench/fbp.ts --write --size ${SIZE} --angles ${ANGLES}\` — one ${SIZE}² slice from a ${SIZE}-pixel × ${ANGLES}-angle float64`,
  "sinogram, ramp filter, circle=True; Lightbook (Node, one thread) vs Debian's scikit-image 0.19.3 `iradon`",
  `(numpy 1.24, OPENBLAS_* unset, one thread), same machine, one run (${os.cpus().length} cores: ${os.cpus()[0]?.model ?? "?"}).`,
  "Lightbook: best of 2; skimage: one run (it takes the longest).",
  "",
  "| slice | angles | Lightbook s | skimage iradon s | speed-up |",
  "| --- | --- | --- | --- | --- |",
  `| ${SIZE}×${SIZE} | ${ANGLES} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${(theirs / ours).toFixed(1)}× |`,
  "",
].join("\n");
console.log(section);
if (process.argv.includes("--write")) await writeBenchmarkSection(HEADING, section);
