import { mkdir } from "node:fs/promises";
import path from "node:path";
import { h5wasm } from "../../kernel/analysis/hdf5/module.ts";

/** Where the demo scan lands under the data root, and what the welcome notebook opens. */
export const DEMO_SCAN = "demo/scan_0001.h5";

const FRAMES = 8;
const SIZE = 256;
/** Ring radii in pixels: what a powder sample gives on a flat detector. */
const RINGS = [38, 61, 87, 104];

/** Deterministic noise, so the demo file is the same on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small NeXus file shaped like a detector scan: /entry/data/data holds FRAMES uint32 frames
 * of powder rings whose intensity grows through the scan, chunked one frame per chunk and
 * gzip-compressed, with the geometry a reduction needs under /entry/instrument.
 */
export async function writeDemoScan(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, DEMO_SCAN);
  await mkdir(path.dirname(file), { recursive: true });
  await h5wasm.ready;
  const random = mulberry32(575);
  const frames = new Uint32Array(FRAMES * SIZE * SIZE);
  const cx = SIZE / 2 + 3.5;
  const cy = SIZE / 2 - 2.25;
  for (let f = 0; f < FRAMES; f++) {
    const scale = 1 + f / FRAMES;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const r = Math.hypot(x - cx, y - cy);
        let v = 20;
        for (const [i, r0] of RINGS.entries()) v += (400 / (i + 1)) * scale * Math.exp(-((r - r0) ** 2) / 4.5);
        frames[(f * SIZE + y) * SIZE + x] = Math.round(v + Math.sqrt(v) * (random() - 0.5) * 2);
      }
    }
  }
  const h5 = new h5wasm.File(file, "w");
  try {
    h5.create_attribute("default", "entry");
    const entry = h5.create_group("entry");
    entry.create_attribute("NX_class", "NXentry");
    entry.create_attribute("default", "data");
    const data = entry.create_group("data");
    data.create_attribute("NX_class", "NXdata");
    data.create_attribute("signal", "data");
    const ds = data.create_dataset({ name: "data", data: frames, shape: [FRAMES, SIZE, SIZE], dtype: "<I", chunks: [1, SIZE, SIZE], compression: "gzip", compression_opts: 4 });
    ds.create_attribute("units", "counts");
    const detector = entry.create_group("instrument").create_group("detector");
    detector.create_attribute("NX_class", "NXdetector");
    for (const [name, value, units] of [
      ["distance", 0.12, "m"],
      ["x_pixel_size", 75e-6, "m"],
      ["y_pixel_size", 75e-6, "m"],
      ["beam_center_x", cx, "pixel"],
      ["beam_center_y", cy, "pixel"],
      ["wavelength", 0.9537e-10, "m"],
    ] as const) {
      detector.create_dataset({ name, data: new Float64Array([value]), shape: [] }).create_attribute("units", units);
    }
  } finally {
    h5.close();
  }
  return file;
}
