/**
 * Test data for the analysis library, written by test/fixtures/make_fixtures.py with Debian's h5py
 * and hdf5plugin (an independent HDF5 writer) into a temporary data root.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** Debian's Python, which has h5py, hdf5plugin, scikit-image and pyFAI (the one on PATH may not). */
export const PYTHON = "/usr/bin/python3";
export const FIXTURES_SCRIPT = path.resolve(import.meta.dirname, "../fixtures/make_fixtures.py");

const run = promisify(execFile);

/** Runs `make_fixtures.py <args…>` in `cwd`. */
export async function makeFixture(cwd: string, ...args: string[]): Promise<void> {
  await run(PYTHON, [FIXTURES_SCRIPT, ...args], { cwd, maxBuffer: 16 << 20 });
}

/** A fresh temporary folder to use as the data root; `cleanup()` removes it. */
export async function tempDataRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "lightbook-analysis-"));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The JSON truth a fixture subcommand writes beside OUT.h5 (OUT.json). */
export async function readTruth<T>(root: string, h5: string): Promise<T> {
  return JSON.parse(await readFile(path.join(root, h5.replace(/\.h5$/, ".json")), "utf8")) as T;
}

/** Truth of `make_fixtures.py diffraction OUT.h5`: geometry (pyFAI parameters), rings, spots per frame. */
export interface DiffractionTruth {
  shape: [number, number];
  pixel_size: number;
  geometry: { dist: number; poni1: number; poni2: number; rot1: number; rot2: number; rot3: number; wavelength: number };
  poni: Record<string, number>;
  rings_two_theta_deg: number[];
  ring_width_deg: number;
  mask: { dataset: string; rows: [number, number]; cols: [number, number] };
  data: string;
  background: number;
  /** Per frame: Gaussian spots, x = column and y = row in pixels (pixel centres at integers). */
  spots: { x: number; y: number; amplitude: number; sigma: number; total: number }[][];
}

/** Writes the diffraction fixture (rings + spots) under `root` as `file` and returns its truth. */
export async function diffractionFixture(root: string, file = "diffraction.h5", frames = 4, shape: [number, number] = [512, 512]): Promise<DiffractionTruth> {
  await makeFixture(root, "diffraction", file, "--frames", String(frames), "--shape", String(shape[0]), String(shape[1]));
  return readTruth<DiffractionTruth>(root, file);
}

/** Truth of `make_fixtures.py tomo OUT.h5`. */
export interface TomoTruth {
  size: number;
  angles: number;
  rows: number;
  mu: number;
  center_offset: number;
  rotation_center: number;
}
