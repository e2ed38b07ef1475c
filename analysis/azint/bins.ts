import type { Contributions } from "./engines.ts";
import { parameterError } from "./errors.ts";

/** pyFAI widens the upper end of a default range by one float32 ulp so the largest position falls inside. */
const EPS32 = 1 + 2 ** -23;

/** Equal-width bins over [min, max); a position x falls in bin ⌊(x − min)/delta⌋ when that is in [0, bins). */
export interface Axis {
  readonly min: number;
  readonly max: number;
  readonly bins: number;
  readonly delta: number;
}

/**
 * The axis pyFAI's integrators use: `range` if given (already in internal units), else
 * [min(low), max(high)·(1 + ε₃₂)] over the pixels marked in `include` (all pixels when omitted),
 * where low and high are the pixels' positions, or the ends of their extents when pixels are split.
 * Errors name the options `names` gives.
 */
export function makeAxis(
  names: { bins: string; range: string },
  low: Float64Array,
  high: Float64Array,
  bins: number,
  include?: Uint8Array,
  range?: readonly [number, number],
): Axis {
  if (!Number.isInteger(bins) || bins < 1) throw parameterError(names.bins, `must be a positive integer number of bins (got ${bins})`);
  let min: number;
  let max: number;
  if (range) {
    [min, max] = range;
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min))
      throw parameterError(names.range, `must be [low, high] with low < high (got [${range.join(", ")}])`);
  } else {
    min = Infinity;
    max = -Infinity;
    for (let i = 0; i < low.length; i++) {
      if (include && !include[i]) continue;
      if (low[i]! < min) min = low[i]!;
      if (high[i]! > max) max = high[i]!;
    }
    if (!(max >= min)) throw parameterError("mask", "leaves no pixel to integrate");
    max *= EPS32;
  }
  return { min, max, bins, delta: (max - min) / bins };
}

/** Bin centres, multiplied by `scale` to give output units. */
export function binCenters(axis: Axis, scale: number): Float64Array {
  const out = new Float64Array(axis.bins);
  for (let b = 0; b < axis.bins; b++) out[b] = (axis.min + (b + 0.5) * axis.delta) * scale;
  return out;
}

/** Bin of position x on an axis, or −1 outside it (NaN included). */
export function binOf(x: number, min: number, delta: number, bins: number): number {
  const b = Math.floor((x - min) / delta);
  return b >= 0 && b < bins ? b : -1;
}

/**
 * Bin of every pixel (−1 when excluded or outside the axes): radial bin, or azimuthal·radialBins +
 * radial for a 2D binning. Hand-written loop over typed arrays.
 */
export function pixelBins(include: Uint8Array, radial: Float64Array, radialAxis: Axis, chi?: Float64Array, azimuthAxis?: Axis): Int32Array {
  const out = new Int32Array(radial.length).fill(-1);
  const { min: r0, delta: dr, bins: nr } = radialAxis;
  for (let i = 0; i < radial.length; i++) {
    if (!include[i]) continue;
    const rb = binOf(radial[i]!, r0, dr, nr);
    if (rb < 0) continue;
    if (chi && azimuthAxis) {
      const ab = binOf(chi[i]!, azimuthAxis.min, azimuthAxis.delta, azimuthAxis.bins);
      if (ab >= 0) out[i] = ab * nr + rb;
    } else {
      out[i] = rb;
    }
  }
  return out;
}

/**
 * pyFAI's "bbox" pixel splitting: a pixel spreads evenly over [low, high] (its centre ± its largest
 * centre-to-corner distance), so each bin it overlaps gets the overlapping fraction. As pyFAI 0.21
 * (splitBBox), a pixel that crosses an end of the axis keeps its whole extent for the fractions and
 * the part beyond the end goes to the end bin: at a lower bound of 0 (2θ and q, where the pixels at
 * the beam centre reach below 0) or of a radial range, bin 0 gets (1 − f₀)/(f₁ − f₀) of the pixel.
 * Pixels wholly outside the axis are dropped. Two passes (count, fill) into typed arrays.
 */
export function bboxContributions(include: Uint8Array, low: Float64Array, high: Float64Array, axis: Axis): Contributions {
  const { min, delta, bins } = axis;
  const each = (visit: (b: number, i: number, c: number) => void): void => {
    for (let i = 0; i < low.length; i++) {
      if (!include[i]) continue;
      const f0 = (low[i]! - min) / delta;
      const f1 = (high[i]! - min) / delta;
      if (f1 < 0 || f0 >= bins) continue;
      const b0 = Math.max(Math.floor(f0), 0);
      const b1 = Math.min(Math.floor(f1), bins - 1);
      if (b0 === b1) {
        visit(b0, i, 1);
        continue;
      }
      const a = 1 / (f1 - f0);
      for (let b = b0; b <= b1; b++) visit(b, i, b === b0 ? (b0 + 1 - f0) * a : b === b1 ? (f1 - b1) * a : a);
    }
  };
  let n = 0;
  each(() => n++);
  const bin = new Int32Array(n);
  const pixel = new Int32Array(n);
  const coef = new Float32Array(n);
  let e = 0;
  each((b, i, c) => {
    bin[e] = b;
    pixel[e] = i;
    coef[e++] = c;
  });
  return { bin, pixel, coef };
}

/** Each pixel's largest |corner − centre| of a position, from the (rows+1)×(cols+1) corner grid. */
export function cornerDeltas(centres: Float64Array, corners: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const w = cols + 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = centres[r * cols + c]!;
      const k = r * w + c;
      out[r * cols + c] = Math.max(Math.abs(corners[k]! - x), Math.abs(corners[k + 1]! - x), Math.abs(corners[k + w]! - x), Math.abs(corners[k + w + 1]! - x));
    }
  }
  return out;
}
