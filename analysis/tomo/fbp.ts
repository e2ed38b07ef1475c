/**
 * Filtered back-projection of parallel-beam sinograms, with scikit-image's iradon conventions so
 * results compare directly: a sinogram has shape [detector pixels, angles] (one column per
 * angle), angles in degrees, the rotation axis at detector pixel `size >> 1` unless `center` says
 * otherwise, linear interpolation, zero outside the reconstruction circle, and the same scaling
 * (pi / (2 * angles)). The loops are hand-written: they are the numeric kernel, with the
 * per-row increment of the detector coordinate instead of numpy's whole-image temporaries.
 */
import FFT from "fft.js";
import { ParameterError, ShapeMismatchError } from "../errors.ts";
import type { NdArray } from "../hdf5/types.ts";
import { type FbpFilter, fourierFilter } from "./filters.ts";

/** A sinogram: shape [detector pixels, angles], C order, as skimage.transform.radon returns. */
export type Sinogram = NdArray<Float64Array>;

export interface FbpOptions {
  /** Projection angles in degrees, one per sinogram column. */
  angles: ArrayLike<number>;
  /** Default "ramp" (skimage's default). */
  filter?: FbpFilter;
  /** Detector position of the rotation axis in pixels (default size >> 1, as skimage). */
  center?: number;
  /** Side of the square slice (default the detector width). */
  outputSize?: number;
}

function checkSinogram(sinogram: Sinogram, angles: ArrayLike<number>): [number, number] {
  const [size, count] = sinogram.shape as [number, number];
  if (sinogram.shape.length !== 2 || sinogram.data.length !== size * count)
    throw new ParameterError(`a sinogram is 2D [detector, angles]; got shape [${sinogram.shape.join(", ")}]`, { parameter: "sinogram" });
  if (angles.length !== count)
    throw new ShapeMismatchError(`the sinogram has ${count} angle columns but ${angles.length} angles were given`, { parameter: "angles" });
  return [size, count];
}

/** Projections after filtering, on a detector widened as skimage widens it for circle=True. */
interface Filtered {
  /** [angles][extended detector]. */
  projections: Float64Array[];
  /** Extended index of original detector pixel 0. */
  offset: number;
  length: number;
}

/**
 * Filters each projection with `filter`. As skimage (circle=True): the detector is first widened
 * with zeros to ceil(√2 · size), centred, then zero-padded to a power of two ≥ 2 × that width
 * (at least 64) so that the circular convolution is a linear one.
 */
export function filterProjections(sinogram: Sinogram, filter: FbpFilter = "ramp"): Filtered {
  const [size, count] = sinogram.shape as [number, number];
  const length = Math.ceil(Math.SQRT2 * size);
  const offset = (length >> 1) - (size >> 1);
  const padded = Math.max(64, 2 ** Math.ceil(Math.log2(2 * length)));
  const response = fourierFilter(padded, filter);
  const fft = new FFT(padded);
  const input = new Float64Array(padded);
  const spectrum = new Float64Array(2 * padded);
  const back = new Float64Array(2 * padded);
  const projections: Float64Array[] = [];
  for (let a = 0; a < count; a++) {
    for (let i = 0; i < size; i++) input[offset + i] = sinogram.data[i * count + a]!;
    fft.realTransform(spectrum, input);
    fft.completeSpectrum(spectrum);
    for (let k = 0; k < padded; k++) {
      spectrum[2 * k]! *= response[k]!;
      spectrum[2 * k + 1]! *= response[k]!;
    }
    fft.inverseTransform(back, spectrum);
    const projection = new Float64Array(length);
    for (let i = 0; i < length; i++) projection[i] = back[2 * i]!;
    projections.push(projection);
  }
  return { projections, offset, length };
}

/**
 * Reconstructs one slice, shape [outputSize, outputSize], from a sinogram. Matches
 * `skimage.transform.iradon(sinogram, theta=angles, filter_name=filter, circle=True)`.
 */
export function fbp(sinogram: Sinogram, options: FbpOptions): NdArray<Float64Array> {
  const [size, count] = checkSinogram(sinogram, options.angles);
  const n = options.outputSize ?? size;
  const center = options.center ?? size >> 1;
  if (!Number.isFinite(center) || center < 0 || center > size - 1)
    throw new ParameterError(`rotation centre ${center} is outside the detector 0..${size - 1}`, { parameter: "center" });
  if (!Number.isInteger(n) || n < 1) throw new ParameterError(`output size must be a positive integer, got ${n}`, { parameter: "outputSize" });
  const { projections, offset: detectorOffset, length } = filterProjections(sinogram, options.filter ?? "ramp");
  const slice = new Float64Array(n * n);
  const radius = n >> 1;
  const last = length - 1;
  for (let a = 0; a < count; a++) {
    const theta = (options.angles[a]! * Math.PI) / 180;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const p = projections[a]!;
    for (let row = 0; row < n; row++) {
      const x = row - radius;
      // Only the reconstruction circle: skimage zeroes everything outside it.
      const half = Math.sqrt(Math.max(0, radius * radius - x * x));
      let c0 = Math.max(0, Math.ceil(radius - half));
      let c1 = Math.min(n - 1, Math.floor(radius + half));
      // Detector coordinate of (row, col): u = (col − radius) cos θ − x sin θ + centre, linear in col.
      const u0 = -radius * cos - x * sin + center + detectorOffset;
      // Clip the columns to those whose u falls on the detector [0, last] (np.interp's left/right = 0).
      if (Math.abs(cos) > 1e-12) {
        const a = -u0 / cos;
        const b = (last - u0) / cos;
        c0 = Math.max(c0, Math.ceil(Math.min(a, b)));
        c1 = Math.min(c1, Math.floor(Math.max(a, b)));
      } else if (u0 < 0 || u0 > last) {
        continue;
      }
      backprojectRow(slice, row * n, c0, c1, u0, cos, p, last);
    }
  }
  const scale = Math.PI / (2 * count);
  for (let i = 0; i < slice.length; i++) slice[i]! *= scale;
  return { data: slice, shape: [n, n] };
}

/** Adds projection `p` along one slice row, columns c0..c1, linear interpolation at u0 + col·step. */
function backprojectRow(slice: Float64Array, offset: number, c0: number, c1: number, u0: number, step: number, p: Float64Array, last: number): void {
  for (let col = c0; col <= c1; col++) {
    const u = u0 + col * step;
    // Rounding at the clipped ends can put u a hair outside [0, last].
    if (u < 0 || u > last) continue;
    const i = u | 0;
    const lo = p[i]!;
    slice[offset + col]! += i >= last ? lo : lo + (u - i) * (p[i + 1]! - lo);
  }
}
