import { mkdir } from "node:fs/promises";
import path from "node:path";
import { h5wasm } from "../../analysis/hdf5/module.ts";
import { createNxGroup } from "../../analysis/hdf5/write.ts";

/** Where the demo tomography scan lands under the data root, and what the tomography notebook opens. */
export const DEMO_TOMO = "demo/tomo_0001.h5";

const SIZE = 128;
const ANGLES = 180;
const ROWS = 2;
const DARKS = 4;
const FLATS = 4;
/** The rotation axis sits this many pixels right of the detector centre, as on a real beamline. */
const AXIS_OFFSET = 2;

/** Modified Shepp–Logan ellipses (Toft): value, semi-axes a and b, centre x and y, rotation in degrees. */
const ELLIPSES: [number, number, number, number, number, number][] = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/** Line integral of the phantom at detector coordinate s (pixels from the axis), angle theta: exact for ellipses. */
function projection(s: number, theta: number, scale: number): number {
  let sum = 0;
  for (const [value, a, b, x0, y0, phi] of ELLIPSES) {
    const A = a * scale;
    const B = b * scale;
    const t = theta - (phi * Math.PI) / 180;
    const a2 = (A * Math.cos(t)) ** 2 + (B * Math.sin(t)) ** 2;
    const d = s - scale * (x0 * Math.cos(theta) + y0 * Math.sin(theta));
    if (d * d < a2) sum += ((2 * value * A * B) / a2) * Math.sqrt(a2 - d * d);
  }
  return sum;
}

/**
 * A small NXtomo scan computed from the analytic projections of a Shepp–Logan phantom: darks,
 * flats (with an uneven beam profile) and projections in one uint16 stack with image_key, and the
 * rotation angles, so the tomography notebook has something real to normalize and reconstruct.
 */
export async function writeDemoTomo(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, DEMO_TOMO);
  await mkdir(path.dirname(file), { recursive: true });
  await h5wasm.ready;
  const frame = ROWS * SIZE;
  const count = DARKS + FLATS + ANGLES;
  const stack = new Uint16Array(count * frame);
  const keys = new Int32Array(count);
  const angles = new Float64Array(count);
  const dark = 100;
  const beam = (c: number) => 10_000 * (1 + 0.05 * Math.sin(c / 7));
  const scale = (SIZE / 2) * 0.95;
  // Attenuation per pixel of the phantom's unit value: transmissions between ~0.3 and 1.
  const mu = 0.012;
  for (let k = 0; k < count; k++) {
    const kind = k < DARKS ? 2 : k < DARKS + FLATS ? 1 : 0;
    keys[k] = kind;
    const theta = kind === 0 ? (180 * (k - DARKS - FLATS)) / ANGLES : 0;
    angles[k] = theta;
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < SIZE; c++) {
        const s = c - (SIZE >> 1) - AXIS_OFFSET;
        const transmission = kind === 0 ? Math.exp(-mu * (1 + 0.1 * r) * projection(s, (theta * Math.PI) / 180, scale)) : 1;
        stack[k * frame + r * SIZE + c] = Math.round(kind === 2 ? dark : dark + beam(c) * transmission);
      }
    }
  }
  const h5 = new h5wasm.File(file, "w");
  try {
    h5.create_attribute("default", "entry");
    const entry = createNxGroup(h5, "entry", "NXentry", { definition: "NXtomo" });
    const detector = createNxGroup(createNxGroup(entry, "instrument", "NXinstrument"), "detector", "NXdetector");
    detector.create_dataset({
      name: "data",
      data: stack,
      shape: [count, ROWS, SIZE],
      dtype: "<H",
      chunks: [1, ROWS, SIZE],
      compression: "gzip",
      compression_opts: 4,
    });
    detector.create_dataset({ name: "image_key", data: keys });
    const sample = createNxGroup(entry, "sample", "NXsample");
    sample.create_dataset({ name: "rotation_angle", data: angles }).create_attribute("units", "deg");
  } finally {
    h5.close();
  }
  return file;
}
