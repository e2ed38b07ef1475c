import { type PixelArray, requireNumber, requirePixels } from "./errors.ts";
import type { Geometry, PixelAngles } from "./geometry.ts";

/** Frame-independent corrections, with pyFAI's meaning of each. */
export interface CorrectionOptions {
  /** Non-zero marks a pixel as masked (pyFAI's convention; the inverse of the NeXus pixel_mask "good = 0" is the same). */
  readonly mask?: ArrayLike<number>;
  /** Subtracted from the raw signal. */
  readonly dark?: PixelArray;
  /** Divides the signal (through the normalization). */
  readonly flat?: PixelArray;
  /** Divide by the solid angle relative to the PONI, cos³(incidence). Default true, as pyFAI. */
  readonly correctSolidAngle?: boolean;
  /** pyFAI's polarization factor in [−1, 1] (0 unpolarized, ~0.99 horizontal synchrotron); omitted: no correction. */
  readonly polarizationFactor?: number;
  /** Angle (rad) between the polarization plane and the detector's horizontal axis. */
  readonly polarizationAxisOffset?: number;
  /** Divides the result, e.g. a monitor count. Default 1. */
  readonly normalizationFactor?: number;
}

/** Solid angle of each pixel relative to the PONI, cos³ of the incidence angle, in float32 as pyFAI keeps it. */
export function solidAngle(angles: PixelAngles): Float32Array {
  const out = new Float32Array(angles.cosIncidence.length);
  for (let i = 0; i < out.length; i++) out[i] = angles.cosIncidence[i]! ** 3;
  return out;
}

/** pyFAI's polarization correction ½(1 + cos²2θ − P·cos(2(χ + offset))·(1 − cos²2θ)), in float32. */
export function polarization(angles: PixelAngles, factor: number, axisOffset = 0): Float32Array {
  requireNumber("polarizationFactor", factor, "between -1 and 1", (v) => v >= -1 && v <= 1);
  requireNumber("polarizationAxisOffset", axisOffset, "a finite angle in radians", () => true);
  const out = new Float32Array(angles.tth.length);
  for (let i = 0; i < out.length; i++) {
    const c2 = Math.cos(angles.tth[i]!) ** 2;
    out[i] = 0.5 * (1 + c2 - factor * Math.cos(2 * (angles.chi[i]! + axisOffset)) * (1 - c2));
  }
  return out;
}

/**
 * What every frame shares: the normalization each pixel's signal is divided by
 * (normalizationFactor·flat·polarization·solidAngle, in float32 like pyFAI's preprocessing), the
 * dark, and which pixels can contribute at all (not masked, finite non-zero normalization, finite dark).
 */
export interface PixelCorrections {
  readonly norm: Float32Array;
  readonly dark?: Float32Array;
  readonly valid: Uint8Array;
  /** Pixels excluded by the static mask alone (what pyFAI's CSR builder leaves out of its radial range). */
  readonly masked: Uint8Array;
}

export function pixelCorrections(geometry: Geometry, angles: PixelAngles, options: CorrectionOptions): PixelCorrections {
  const { shape } = geometry;
  requirePixels("mask", options.mask, shape);
  requirePixels("dark", options.dark, shape);
  requirePixels("flat", options.flat, shape);
  const factor = requireNumber("normalizationFactor", options.normalizationFactor ?? 1, "a finite non-zero number", (v) => v !== 0);
  const n = shape[0] * shape[1];
  const norm = new Float32Array(n).fill(factor);
  const { flat, mask } = options;
  if (flat) for (let i = 0; i < n; i++) norm[i] = norm[i]! * flat[i]!;
  if (options.polarizationFactor !== undefined) {
    const pol = polarization(angles, options.polarizationFactor, options.polarizationAxisOffset);
    for (let i = 0; i < n; i++) norm[i] = norm[i]! * pol[i]!;
  }
  if (options.correctSolidAngle ?? true) {
    const sa = solidAngle(angles);
    for (let i = 0; i < n; i++) norm[i] = norm[i]! * sa[i]!;
  }
  const dark = options.dark ? Float32Array.from(options.dark) : undefined;
  const valid = new Uint8Array(n);
  const masked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    masked[i] = mask && mask[i] !== 0 ? 1 : 0;
    const w = norm[i]!;
    valid[i] = !masked[i] && Number.isFinite(w) && w !== 0 && (!dark || Number.isFinite(dark[i]!)) ? 1 : 0;
  }
  return { norm, ...(dark ? { dark } : {}), valid, masked };
}
