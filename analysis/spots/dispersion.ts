import { parameterError, type PixelArray, requireNumber, requirePixels } from "../azint/errors.ts";

/** DIALS' "dispersion" threshold parameters, with DIALS' defaults. */
export interface DispersionOptions {
  /**
   * Half-size [x, y] of the local box: the box is (2·kx+1) × (2·ky+1) pixels. Default [3, 3].
   * DIALS' kernel_size is the other way round, (y, x), whatever its help says.
   */
  readonly kernelSize?: readonly [number, number];
  /** Detector gain: one value, or one per pixel. Default 1. */
  readonly gain?: number | Float32Array | Float64Array;
  /** Index-of-dispersion threshold in standard deviations. Default 6. */
  readonly sigmaBackground?: number;
  /** Pixel-above-local-mean threshold in standard deviations. Default 3. */
  readonly sigmaStrong?: number;
  /** Fewest valid pixels in the box for a pixel to be tested. Default 2. */
  readonly minLocal?: number;
  /** Pixels at or below this value are never strong. Default 0. */
  readonly globalThreshold?: number;
  /** Non-zero marks a pixel as masked (not used, not counted in any box). */
  readonly mask?: ArrayLike<number>;
}

/**
 * Moves the per-column box sums down one row: adds row `enter`'s valid pixels and removes row
 * `leave`'s (either may be −1 for none). Column c is stored at c + pad, so that the row's sliding
 * window can read past both edges into zeros without a test.
 */
function slideRows(
  image: PixelArray,
  valid: Uint8Array,
  enter: number,
  leave: number,
  cols: number,
  pad: number,
  m: Float64Array,
  x: Float64Array,
  y: Float64Array,
): void {
  for (const [r, sign] of [
    [enter, 1],
    [leave, -1],
  ] as const) {
    if (r < 0) continue;
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (!valid[base + c]) continue;
      const v = image[base + c]!;
      m[c + pad]! += sign;
      x[c + pad]! += sign * v;
      y[c + pad]! += sign * v * v;
    }
  }
}

/**
 * Marks the strong pixels of one image with DIALS' dispersion algorithm. With m valid pixels in the
 * box around a pixel, sum x and sum of squares y, and gain g, a pixel is strong when
 *   (index of dispersion)  m·y − x² > g·x·(m − 1 + σ_b·√(2(m − 1)))
 *   (above local mean)     m·v − x  > σ_s·√(g·x·m)
 * and also valid, m ≥ minLocal, x ≥ 0 and v > globalThreshold. Box sums slide: per-column sums over
 * the box's rows are updated by one row in and one out, and each row's box sums by one column in and
 * one out, so the cost does not depend on the box size and the working set is three rows (exact for
 * integer counts; summed-area tables of the whole image took twice as long on a 1024² image: 124 vs 62 ms, best of 8).
 * Hand-written numeric loops.
 */
export function dispersionThreshold(image: PixelArray, shape: readonly [number, number], options: DispersionOptions = {}): Uint8Array {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw parameterError("shape", `must be [rows, columns] of positive integers (got ${JSON.stringify(shape)})`);
  requirePixels("image", image, shape);
  requirePixels("mask", options.mask, shape);
  const [kx, ky] = options.kernelSize ?? [3, 3];
  requireNumber("kernelSize", kx, "a non-negative integer half-size", (v) => Number.isInteger(v) && v >= 0);
  requireNumber("kernelSize", ky, "a non-negative integer half-size", (v) => Number.isInteger(v) && v >= 0);
  const nsigB = requireNumber("sigmaBackground", options.sigmaBackground ?? 6, "a non-negative number", (v) => v >= 0);
  const nsigS = requireNumber("sigmaStrong", options.sigmaStrong ?? 3, "a non-negative number", (v) => v >= 0);
  const minLocal = requireNumber("minLocal", options.minLocal ?? 2, "an integer ≥ 2", (v) => Number.isInteger(v) && v >= 2);
  const threshold = requireNumber("globalThreshold", options.globalThreshold ?? 0, "a finite number", () => true);
  const gainOption = options.gain ?? 1;
  const gainMap = typeof gainOption === "number" ? undefined : gainOption;
  if (gainMap) requirePixels("gain", gainMap, shape);
  else requireNumber("gain", gainOption, "a positive number", (v) => v > 0);
  const gain = typeof gainOption === "number" ? gainOption : 1;

  const n = rows * cols;
  const valid = new Uint8Array(n);
  const { mask } = options;
  for (let k = 0; k < n; k++) valid[k] = (!mask || mask[k] === 0) && Number.isFinite(image[k]!) ? 1 : 0;
  // Per-column sums over the box's rows, column c at c + kx + 1 with zeros on both sides.
  const pad = kx + 1;
  const M = new Float64Array(cols + 2 * kx + 2);
  const X = new Float64Array(M.length);
  const Y = new Float64Array(M.length);
  for (let r = 0; r <= Math.min(ky, rows - 1); r++) slideRows(image, valid, r, -1, cols, pad, M, X, Y);
  const strong = new Uint8Array(n);
  // σ_b·√(2(m − 1)) for every possible m: the box holds at most (2kx+1)(2ky+1) pixels.
  const spread = Float64Array.from({ length: (2 * kx + 1) * (2 * ky + 1) + 1 }, (_, m) => (m > 0 ? nsigB * Math.sqrt(2 * (m - 1)) : 0));
  for (let r = 0; r < rows; r++) {
    let m = 0;
    let x = 0;
    let y = 0;
    // The box of column 0 covers stored indices 1..2kx+1; each step adds index c + 2kx + 2 and drops c + 1.
    for (let i = 1; i <= 2 * kx + 1; i++) {
      m += M[i]!;
      x += X[i]!;
      y += Y[i]!;
    }
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const k = base + c;
      const v = image[k]!;
      // m·v > x first: it is necessary for the second test and rejects half the background cheaply.
      if (m * v > x && valid[k] && v > threshold && m >= minLocal && x >= 0) {
        const g = gainMap ? gainMap[k]! : gain;
        const dispersed = m * y - x * x > g * x * (m - 1 + spread[m]!);
        if (dispersed && m * v - x > nsigS * Math.sqrt(g * x * m)) strong[k] = 1;
      }
      const enter = c + 2 * kx + 2;
      const leave = c + 1;
      m += M[enter]! - M[leave]!;
      x += X[enter]! - X[leave]!;
      y += Y[enter]! - Y[leave]!;
    }
    slideRows(image, valid, r + ky + 1 < rows ? r + ky + 1 : -1, r - ky, cols, pad, M, X, Y);
  }
  return strong;
}
