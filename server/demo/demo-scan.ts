import path from "node:path";
import { writeNexusScan } from "./nexus-scan.ts";
import { mulberry32 } from "./random.ts";

/** Where the demo powder scan lands under the data root, and what the welcome notebook opens. */
export const DEMO_SCAN = "demo/scan_0001.h5";

const FRAMES = 8;
const SIZE = 256;
/** Ring radii in pixels: what a powder sample gives on a flat detector. */
const RINGS = [38, 61, 87, 104];

/**
 * The powder scan: FRAMES frames of powder rings whose intensity grows through the scan, in a NeXus
 * file with the geometry a reduction needs (nexus-scan.ts).
 */
export async function writeDemoScan(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, DEMO_SCAN);
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
  await writeNexusScan(file, frames, [FRAMES, SIZE, SIZE], { distance: 0.12, pixelSize: 75e-6, beamCentre: [cx, cy], wavelength: 0.9537e-10 });
  return file;
}
