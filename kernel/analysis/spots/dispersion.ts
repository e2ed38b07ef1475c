import { parameterError, type PixelArray, requireNumber, requirePixels } from "../azint/errors.ts";

/** DIALS' "dispersion" threshold parameters, with DIALS' defaults. */
export interface DispersionOptions {
  /** Half-size [x, y] of the local box: the box is (2·kx+1) × (2·ky+1) pixels. Default [3, 3]. */
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
 * Summed-area tables of valid-pixel count, value and value² for the box sums: entry
 * (r+1)·(cols+1) + (c+1) holds the sum over rows ≤ r and columns ≤ c.
 */
function summedAreas(image: PixelArray, valid: Uint8Array, rows: number, cols: number): { m: Float64Array; x: Float64Array; y: Float64Array } {
  const w = cols + 1;
  const m = new Float64Array((rows + 1) * w);
  const x = new Float64Array((rows + 1) * w);
  const y = new Float64Array((rows + 1) * w);
  for (let r = 0; r < rows; r++) {
    let rm = 0;
    let rx = 0;
    let ry = 0;
    const above = r * w;
    const here = (r + 1) * w;
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (valid[k]) {
        const v = image[k]!;
        rm += 1;
        rx += v;
        ry += v * v;
      }
      m[here + c + 1] = m[above + c + 1]! + rm;
      x[here + c + 1] = x[above + c + 1]! + rx;
      y[here + c + 1] = y[above + c + 1]! + ry;
    }
  }
  return { m, x, y };
}

/**
 * Marks the strong pixels of one image with DIALS' dispersion algorithm. With m valid pixels in the
 * box around a pixel, sum x and sum of squares y, and gain g, a pixel is strong when
 *   (index of dispersion)  m·y − x² > g·x·(m − 1 + σ_b·√(2(m − 1)))
 *   (above local mean)     m·v − x  > σ_s·√(g·x·m)
 * and also valid, m ≥ minLocal, x ≥ 0 and v > globalThreshold. Box sums come from summed-area tables,
 * so the cost does not depend on the box size. Hand-written numeric loops.
 */
export function dispersionThreshold(image: PixelArray, shape: readonly [number, number], options: DispersionOptions = {}): Uint8Array {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw parameterError("shape", `must be [rows, columns] of positive integers (got ${JSON.stringify(shape)})`);
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
  const { m: M, x: X, y: Y } = summedAreas(image, valid, rows, cols);
  const w = cols + 1;
  const strong = new Uint8Array(n);
  for (let r = 0; r < rows; r++) {
    const top = Math.max(r - ky, 0) * w;
    const bottom = (Math.min(r + ky, rows - 1) + 1) * w;
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const v = image[k]!;
      if (!valid[k] || !(v > threshold)) continue;
      const left = Math.max(c - kx, 0);
      const right = Math.min(c + kx, cols - 1) + 1;
      const m = M[bottom + right]! - M[bottom + left]! - M[top + right]! + M[top + left]!;
      const x = X[bottom + right]! - X[bottom + left]! - X[top + right]! + X[top + left]!;
      const y = Y[bottom + right]! - Y[bottom + left]! - Y[top + right]! + Y[top + left]!;
      if (m < minLocal || x < 0) continue;
      const g = gainMap ? gainMap[k]! : gain;
      const dispersed = m * y - x * x > g * x * (m - 1 + nsigB * Math.sqrt(2 * (m - 1)));
      if (dispersed && m * v - x > nsigS * Math.sqrt(g * x * m)) strong[k] = 1;
    }
  }
  return strong;
}
