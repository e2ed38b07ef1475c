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
 * The axis pyFAI's integrators use (errors name the options `names` gives): `range` if given (already in internal units), else
 * [min, max·(1 + ε₃₂)] of the positions of the pixels marked in `include` (all pixels when omitted).
 */
export function makeAxis(names: { bins: string; range: string }, positions: Float64Array, bins: number, include?: Uint8Array, range?: readonly [number, number]): Axis {
  if (!Number.isInteger(bins) || bins < 1) throw parameterError(names.bins, `must be a positive integer number of bins (got ${bins})`);
  let min: number;
  let max: number;
  if (range) {
    [min, max] = range;
    if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) throw parameterError(names.range, `must be [low, high] with low < high (got [${range.join(", ")}])`);
  } else {
    min = Infinity;
    max = -Infinity;
    for (let i = 0; i < positions.length; i++) {
      if (include && !include[i]) continue;
      const x = positions[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
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
