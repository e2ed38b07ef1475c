/**
 * Detector images to PNG: linear or log intensity scale, a colormap, a mask overlay. The pixel
 * loop is hand-written (one pass over the frame into a lookup table); the PNG encoding is fast-png.
 */
import { encode } from "fast-png";
import { ParameterError, ShapeMismatchError } from "../errors.ts";
import type { NdArray } from "../hdf5/types.ts";
import { type Colormap, colormapLut } from "./colormaps.ts";

export interface RenderOptions {
  /** "log" (default) suits diffraction images: a few bright spots over a faint background. */
  scale?: "linear" | "log";
  colormap?: Colormap;
  /** Values mapped to the first and last colour; default the 0.1 and 99.9 percentiles of unmasked pixels. */
  min?: number;
  max?: number;
  /** 0/1 per pixel, same shape as the image; masked pixels are drawn in `maskColor`. */
  mask?: NdArray;
  /** RGB of masked pixels (default magenta, which no colormap uses). */
  maskColor?: [number, number, number];
}

/** Value range by percentiles of the unmasked, finite pixels (a sample of at most ~1e5 of them). */
function percentileRange(values: ArrayLike<number | bigint>, mask: ArrayLike<number | bigint> | undefined): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 100_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    const v = Number(values[i]);
    if (Number.isFinite(v) && !(mask && Number(mask[i]) !== 0)) sample.push(v);
  }
  if (sample.length === 0) return [0, 1];
  sample.sort((a, b) => a - b);
  const at = (q: number) => sample[Math.min(sample.length - 1, Math.floor(q * (sample.length - 1)))]!;
  return [at(0.001), at(0.999)];
}

/** Renders a 2D image (shape [rows, cols]) to RGB pixels, row 0 at the top. */
export function renderRgb(image: NdArray, options: RenderOptions = {}): Uint8Array {
  if (image.shape.length !== 2) throw new ParameterError(`an image is 2D; got shape [${image.shape.join(", ")}]`, { parameter: "image" });
  const [rows, cols] = image.shape as [number, number];
  const mask = options.mask;
  if (mask && (mask.shape[0] !== rows || mask.shape[1] !== cols)) {
    throw new ShapeMismatchError(`mask shape [${mask.shape.join(", ")}] does not match the image [${rows}, ${cols}]`, { parameter: "mask" });
  }
  const log = (options.scale ?? "log") === "log";
  const [p0, p1] = percentileRange(image.data, mask?.data);
  const lo = options.min ?? p0;
  const hi = options.max ?? p1;
  if (!(hi > lo) && !(options.min === undefined && options.max === undefined))
    throw new ParameterError(`max (${hi}) must be above min (${lo})`, { parameter: "max" });
  // Log scale: log(1 + v − lo) keeps zero counts drawable.
  const f = (v: number) => (log ? Math.log1p(Math.max(0, v - lo)) : v - lo);
  const span = f(hi) > f(lo) ? f(hi) - f(lo) : 1;
  const lut = colormapLut(options.colormap ?? "viridis");
  const [mr, mg, mb] = options.maskColor ?? [255, 0, 255];
  const out = new Uint8Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) {
    const o = i * 3;
    if (mask && Number(mask.data[i]) !== 0) {
      out[o] = mr;
      out[o + 1] = mg;
      out[o + 2] = mb;
      continue;
    }
    const v = Number(image.data[i]);
    const t = Number.isFinite(v) ? (f(Math.min(hi, Math.max(lo, v))) - f(lo)) / span : 0;
    const k = Math.round(t * 255) * 3;
    out[o] = lut[k]!;
    out[o + 1] = lut[k + 1]!;
    out[o + 2] = lut[k + 2]!;
  }
  return out;
}

/** Renders a 2D image to PNG bytes; show it in a cell with `display.png(bytes)` or save it. */
export function renderPng(image: NdArray, options: RenderOptions = {}): Uint8Array {
  const [rows, cols] = image.shape as [number, number];
  return encode({ width: cols, height: rows, data: renderRgb(image, options), channels: 3, depth: 8 });
}
