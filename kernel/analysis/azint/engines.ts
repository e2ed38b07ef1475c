import type { PixelArray } from "./errors.ts";
import { type Axis, binOf, pixelBins } from "./bins.ts";
import type { PixelCorrections } from "./corrections.ts";

/** Per-bin sums of one frame, the quantities pyFAI's engines return beside the intensity. */
export interface BinSums {
  /** Σ (raw − dark) */
  readonly signal: Float64Array;
  /** Σ max(raw, 1): pyFAI 0.21's Cython "poisson" variance (the dark is not added). */
  readonly variance?: Float64Array;
  /** Σ normalizationFactor·flat·polarization·solidAngle */
  readonly normalization: Float64Array;
  /** number of pixels */
  readonly count: Float64Array;
}

/** What a binning needs: pixels that may contribute, their positions and the axes (2D when azimuthal is given). */
export interface BinningPlan {
  readonly corrections: PixelCorrections;
  readonly include: Uint8Array;
  readonly radial: Float64Array;
  readonly radialAxis: Axis;
  readonly chi?: Float64Array;
  readonly azimuthAxis?: Axis;
  readonly poisson: boolean;
}

export type Engine = (frame: PixelArray) => BinSums;

function binCount(plan: BinningPlan): number {
  return plan.radialAxis.bins * (plan.azimuthAxis?.bins ?? 1);
}

/**
 * pyFAI's "no splitting, histogram" method: every frame walks all pixels, bins each by its position
 * and accumulates signal, variance, normalization and count. No precomputed lookup. NaN raw values
 * are skipped as pyFAI 0.21 skips them (±Infinity, like there, reaches the sums). Hand-written hot loop.
 */
export function histogramEngine(plan: BinningPlan): Engine {
  const { corrections, include, radial, radialAxis, chi, azimuthAxis, poisson } = plan;
  const { norm, dark } = corrections;
  const { min: r0, delta: dr, bins: nr } = radialAxis;
  const nb = binCount(plan);
  return (frame) => {
    const signal = new Float64Array(nb);
    const normalization = new Float64Array(nb);
    const count = new Float64Array(nb);
    const variance = poisson ? new Float64Array(nb) : undefined;
    for (let i = 0; i < frame.length; i++) {
      if (!include[i]) continue;
      const v = frame[i]!;
      if (v !== v) continue;
      let b = binOf(radial[i]!, r0, dr, nr);
      if (b < 0) continue;
      if (chi && azimuthAxis) {
        const a = binOf(chi[i]!, azimuthAxis.min, azimuthAxis.delta, azimuthAxis.bins);
        if (a < 0) continue;
        b += a * nr;
      }
      signal[b]! += dark ? v - dark[i]! : v;
      normalization[b]! += norm[i]!;
      count[b]! += 1;
      if (variance) variance[b]! += v > 1 ? v : 1;
    }
    return { signal, normalization, count, ...(variance ? { variance } : {}) };
  };
}

/** A sparse matrix in CSR form with all coefficients 1 (no pixel splitting): row b lists the pixels of bin b. */
export interface CsrMatrix {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Builds the CSR lookup from each pixel's bin (−1 = none) by a counting sort, keeping pixel order within a bin. */
export function buildCsr(bins: Int32Array, nb: number): CsrMatrix {
  const indptr = new Int32Array(nb + 1);
  for (let i = 0; i < bins.length; i++) if (bins[i]! >= 0) indptr[bins[i]! + 1]! += 1;
  for (let b = 0; b < nb; b++) indptr[b + 1]! += indptr[b]!;
  const indices = new Int32Array(indptr[nb]!);
  const next = indptr.slice(0, nb);
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i]!;
    if (b >= 0) indices[next[b]!++] = i;
  }
  return { indptr, indices };
}

/**
 * pyFAI's "no splitting, CSR" method: the lookup is built once, and since dark, flat, polarization
 * and solid angle do not change between frames their per-bin sums are precomputed too, so a frame
 * costs one gather of its raw values. A NaN raw value removes that pixel for that frame only.
 */
export function csrEngine(plan: BinningPlan): Engine {
  const { corrections, include, radial, radialAxis, chi, azimuthAxis, poisson } = plan;
  const { norm, dark } = corrections;
  const nb = binCount(plan);
  const { indptr, indices } = buildCsr(pixelBins(include, radial, radialAxis, chi, azimuthAxis), nb);
  const staticNorm = new Float64Array(nb);
  const staticDark = new Float64Array(nb);
  const staticCount = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    for (let k = indptr[b]!; k < indptr[b + 1]!; k++) {
      const i = indices[k]!;
      staticNorm[b]! += norm[i]!;
      if (dark) staticDark[b]! += dark[i]!;
    }
    staticCount[b] = indptr[b + 1]! - indptr[b]!;
  }
  return (frame) => {
    const signal = new Float64Array(nb);
    const normalization = staticNorm.slice();
    const count = staticCount.slice();
    const variance = poisson ? new Float64Array(nb) : undefined;
    for (let b = 0; b < nb; b++) {
      let s = 0;
      let v2 = 0;
      let d = staticDark[b]!;
      for (let k = indptr[b]!; k < indptr[b + 1]!; k++) {
        const v = frame[indices[k]!]!;
        if (v !== v) {
          const i = indices[k]!;
          normalization[b]! -= norm[i]!;
          count[b]! -= 1;
          if (dark) d -= dark[i]!;
          continue;
        }
        s += v;
        v2 += v > 1 ? v : 1;
      }
      signal[b] = s - d;
      if (variance) variance[b] = v2;
    }
    return { signal, normalization, count, ...(variance ? { variance } : {}) };
  };
}
