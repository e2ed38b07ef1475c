import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Geometry } from "../../analysis/azint/index.ts";

const DRIVER = path.resolve(import.meta.dirname, "../fixtures/pyfai_driver.py");

/** A small detector with all three tilts and the beam centre on it, rings all round: the comparisons' geometry. */
export const TILTED_GEOMETRY: Geometry = {
  dist: 0.1,
  poni1: 0.0112,
  poni2: 0.0121,
  rot1: 0.05,
  rot2: -0.03,
  rot3: 0.2,
  wavelength: 1.0e-10,
  pixel1: 100e-6,
  pixel2: 75e-6,
  shape: [240, 320],
};

/** Per-pixel arrays handed to pyFAI as raw little-endian files. */
export interface PyFaiArrays {
  data?: Float32Array;
  mask?: Uint8Array;
  dark?: Float32Array;
  flat?: Float32Array;
}

/** One pyFAI job, with pyFAI's option names (see test/fixtures/pyfai_driver.py). */
export type PyFaiJob = Record<string, unknown> & { kind: "1d" | "2d" | "pixels" };

/** A job's result: arrays of numbers (null where pyFAI gave NaN) and the engine that ran. */
export type PyFaiResult = Record<string, (number | null)[]> & { engine?: string };

/** Runs Debian's pyFAI on the same inputs through the fixture driver, with `threads` OpenMP threads. */
export async function runPyFai(geometry: Geometry, arrays: PyFaiArrays, jobs: PyFaiJob[], threads = 1): Promise<PyFaiResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-pyfai-"));
  try {
    const request: Record<string, unknown> = { geometry, jobs };
    for (const [name, array] of Object.entries(arrays) as [string, Float32Array | Uint8Array | undefined][]) {
      if (!array) continue;
      const file = path.join(dir, `${name}.bin`);
      await writeFile(file, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      request[name] = { path: file, dtype: array instanceof Uint8Array ? "u1" : "f4" };
    }
    const requestFile = path.join(dir, "request.json");
    await writeFile(requestFile, JSON.stringify(request));
    const { stdout } = await promisify(execFile)("/bin/sh", ["-c", `exec /usr/bin/python3 "${DRIVER}" < "${requestFile}"`], {
      maxBuffer: 1 << 28,
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    return (JSON.parse(stdout) as { results: PyFaiResult[] }).results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
