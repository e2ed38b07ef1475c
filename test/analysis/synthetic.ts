import { mulberry32, poisson } from "../../server/demo/random.ts";

export { mulberry32, poisson };

/**
 * Powder rings around a point off the detector centre (radii in pixels) on a flat background, with
 * Poisson noise: an input that any integrator must reproduce, independent of the code under test.
 */
export function ringFrame(rows: number, cols: number, seed: number, centre: [number, number], radii: number[]): Float32Array {
  const random = mulberry32(seed);
  const frame = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = Math.hypot(r + 0.5 - centre[0], c + 0.5 - centre[1]);
      let mean = 8;
      for (const [k, r0] of radii.entries()) mean += (600 / (k + 1)) * Math.exp(-((d - r0) ** 2) / 8);
      frame[r * cols + c] = poisson(random, mean);
    }
  }
  return frame;
}
