/**
 * From detector counts to line integrals: (projection − dark) / (flat − dark), then −log.
 * Darks and flats are averaged first (several are taken per scan to beat their noise).
 */
import { ParameterError, ShapeMismatchError } from "../errors.ts";
import type { NdArray, NumericArray } from "../hdf5/types.ts";
import type { Sinogram } from "./fbp.ts";

/** The per-pixel mean of frames [count, rows, cols] (or a list of frames), as float64 [rows, cols]. */
export function meanFrame(frames: NdArray | NdArray[]): NdArray<Float64Array> {
  const list = Array.isArray(frames) ? frames : splitFrames(frames);
  const first = list[0];
  if (!first) throw new ParameterError("no frames to average", { parameter: "frames" });
  const sum = new Float64Array(first.data.length);
  for (const f of list) {
    if (f.data.length !== sum.length)
      throw new ShapeMismatchError(`frames of different shapes: [${f.shape.join(", ")}] vs [${first.shape.join(", ")}]`, { parameter: "frames" });
    for (let i = 0; i < sum.length; i++) sum[i]! += Number(f.data[i]);
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= list.length;
  return { data: sum, shape: first.shape.slice(-2) };
}

function splitFrames(stack: NdArray): NdArray[] {
  if (stack.shape.length === 2) return [stack];
  const [count, rows, cols] = stack.shape as [number, number, number];
  const size = rows * cols;
  return Array.from({ length: count }, (_, i) => ({ data: stack.data.subarray(i * size, (i + 1) * size) as NumericArray, shape: [rows, cols] }));
}

/**
 * −log((projection − dark) / (flat − dark)) per pixel. Pixels where the flat is not above the
 * dark, or the ratio is not positive, get `invalid` (default 0) rather than NaN or Infinity.
 */
export function minusLogNormalize(projection: NdArray, dark: NdArray<Float64Array>, flat: NdArray<Float64Array>, invalid = 0): NdArray<Float64Array> {
  const n = projection.data.length;
  if (dark.data.length !== n || flat.data.length !== n) {
    throw new ShapeMismatchError(
      `projection [${projection.shape.join(", ")}], dark [${dark.shape.join(", ")}] and flat [${flat.shape.join(", ")}] must have the same shape`,
      { parameter: "dark/flat" },
    );
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = dark.data[i]!;
    const open = flat.data[i]! - d;
    const ratio = (Number(projection.data[i]) - d) / open;
    out[i] = open > 0 && ratio > 0 ? -Math.log(ratio) : invalid;
  }
  return { data: out, shape: projection.shape.slice(-2) };
}

/**
 * Sinogram of detector row `row` from normalized projections (one [rows, cols] image per angle):
 * shape [cols, angles], skimage's layout.
 */
export function sinogramOfRow(projections: NdArray<Float64Array>[], row: number): Sinogram {
  const first = projections[0];
  if (!first) throw new ParameterError("no projections", { parameter: "projections" });
  const [rows, cols] = first.shape as [number, number];
  if (!Number.isInteger(row) || row < 0 || row >= rows) throw new ParameterError(`row ${row} is outside 0..${rows - 1}`, { parameter: "row" });
  const count = projections.length;
  const data = new Float64Array(cols * count);
  for (const [a, p] of projections.entries()) {
    for (let c = 0; c < cols; c++) data[c * count + a] = p.data[row * cols + c]!;
  }
  return { data, shape: [cols, count] };
}
