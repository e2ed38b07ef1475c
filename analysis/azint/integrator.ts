import { bboxContributions, binCenters, cornerDeltas, makeAxis, pixelBins } from "./bins.ts";
import { type CorrectionOptions, pixelCorrections } from "./corrections.ts";
import { type BinSums, type BinningPlan, CsrEngine, type Engine, histogramEngine, wholePixels } from "./engines.ts";
import { parameterError, type PixelArray, requirePixels } from "./errors.ts";
import { checkGeometry, cornerTwoTheta, type Geometry, type PixelAngles, pixelAngles } from "./geometry.ts";
import { IntegrationPool } from "./pool.ts";
import { checkUnit, RADIAL_UNITS, type RadialUnit, radialPositions } from "./units.ts";

/**
 * "csr": a sparse lookup built once and reused for every frame; "histogram": bins every pixel again
 * for each frame. Both without pixel splitting (pyFAI's ("no", "csr") and ("no", "histogram")).
 */
export type IntegrationMethod = "csr" | "histogram";

interface CommonOptions extends CorrectionOptions {
  readonly method?: IntegrationMethod;
  /** In the output unit; pixels outside are ignored. Default: the pixels' full range, as pyFAI. */
  readonly radialRange?: readonly [number, number];
  /**
   * χ range in degrees, pixels outside are ignored: within [−180, 180], or, for a range across
   * 180°, within [0, 360] (e.g. [150, 210]), where χ is then counted from 0° to 360° as with
   * pyFAI's `setChiDiscAtZero()`; cake bins follow the same convention.
   */
  readonly azimuthRange?: readonly [number, number];
  /** "poisson": variance = max(raw, 1) per pixel, propagated to σ = √Σvariance / Σnormalization. */
  readonly errorModel?: "poisson";
}

export interface Integrate1dOptions extends CommonOptions {
  /** Number of radial bins. */
  readonly npt: number;
  /**
   * "no" (default): each pixel goes whole into the bin of its centre. "bbox" (CSR only): each pixel
   * spreads over its radial extent, centre ± largest centre-to-corner distance, as pyFAI's "bbox".
   */
  readonly split?: "no" | "bbox";
  /** Default "q_nm^-1", as pyFAI's integrate1d. */
  readonly unit?: RadialUnit;
}

export interface Integrate2dOptions extends CommonOptions {
  readonly nptRad: number;
  /** Default 360, as pyFAI's integrate2d. */
  readonly nptAzim?: number;
  /** Default "2th_deg", as pyFAI's integrate2d. */
  readonly unit?: RadialUnit;
}

/** Sums and averages per bin; intensity = Σsignal/Σnormalization, 0 where no pixel contributed. */
export interface IntegrationSums {
  readonly intensity: Float64Array;
  readonly sigma?: Float64Array;
  readonly sumSignal: Float64Array;
  readonly sumVariance?: Float64Array;
  readonly sumNormalization: Float64Array;
  readonly count: Float64Array;
}

export interface Integrate1dResult extends IntegrationSums {
  readonly radial: Float64Array;
  readonly unit: RadialUnit;
  readonly method: IntegrationMethod;
}

/** A cake: `intensity[a * radial.length + r]` for azimuthal bin a (χ in degrees) and radial bin r. */
export interface Integrate2dResult extends IntegrationSums {
  readonly radial: Float64Array;
  readonly azimuthal: Float64Array;
  readonly unit: RadialUnit;
  readonly method: IntegrationMethod;
}

/** A prepared integration: geometry, corrections and lookup fixed; call it once per frame. */
export interface Integrator<R> {
  readonly bins: number;
  integrate(frame: PixelArray): R;
  /**
   * The same integration of each frame, the work split across the pool's threads (method "csr"
   * only); the results equal `integrate`'s exactly. Frames in SharedArrayBuffers (`sharedArray`)
   * are read in place, others copied into one first. Default pool: `IntegrationPool.shared()`.
   */
  integrateParallel(frames: readonly PixelArray[], pool?: IntegrationPool): R[];
}

function averages(s: BinSums): IntegrationSums {
  const n = s.signal.length;
  const intensity = new Float64Array(n);
  const sigma = s.variance ? new Float64Array(n) : undefined;
  for (let b = 0; b < n; b++) {
    const w = s.normalization[b]!;
    if (s.count[b] === 0 || w === 0) continue;
    intensity[b] = s.signal[b]! / w;
    if (sigma) sigma[b] = Math.sqrt(s.variance![b]!) / w;
  }
  return {
    intensity,
    ...(sigma ? { sigma, sumVariance: s.variance } : {}),
    sumSignal: s.signal,
    sumNormalization: s.normalization,
    count: s.count,
  };
}

/**
 * The azimuth range in radians and the χ of every pixel in its convention: (−π, π] as computed, or
 * [0, 2π) for a range across 180° (pyFAI's chiDiscAtZero).
 */
function azimuthWindow(range: readonly [number, number], chi: Float64Array): { range: [number, number]; chi: Float64Array } {
  const [lo, hi] = range;
  const across = hi > 180;
  if (!(lo < hi && (across ? lo >= 0 && hi <= 360 : lo >= -180))) {
    throw parameterError(
      "azimuthRange",
      `must be [low, high] degrees with -180 ≤ low < high ≤ 180, or 0 ≤ low < high ≤ 360 for a range across 180° (got [${range.join(", ")}])`,
    );
  }
  return {
    range: [(lo * Math.PI) / 180, (hi * Math.PI) / 180],
    chi: across ? chi.map((x) => (x < 0 ? x + 2 * Math.PI : x)) : chi,
  };
}

/**
 * Azimuthal integration with pyFAI 0.21's semantics (integrate1d/integrate2d, which are its "ng"
 * integrators in 0.21). Per-pixel geometry is computed once per integrator and shared by every
 * `prepare1d`/`prepare2d`; prepare once and integrate many frames.
 */
export class AzimuthalIntegrator {
  readonly geometry: Geometry;
  #angles: PixelAngles | undefined;
  readonly #radial = new Map<RadialUnit, Float64Array>();
  readonly #deltas = new Map<RadialUnit, Float64Array>();

  constructor(geometry: Geometry) {
    this.geometry = checkGeometry(geometry);
  }

  /** 2θ, χ (rad) and incidence cosine at every pixel centre. */
  get angles(): PixelAngles {
    this.#angles ??= pixelAngles(this.geometry);
    return this.#angles;
  }

  /** Radial position of every pixel in `unit` (scaled to the unit, e.g. degrees). */
  radialArray(unit: RadialUnit): Float64Array {
    const scale = RADIAL_UNITS[checkUnit(unit)].scale;
    return this.#positions(unit).map((x) => x * scale);
  }

  #positions(unit: RadialUnit): Float64Array {
    let p = this.#radial.get(unit);
    if (!p) {
      p = radialPositions(this.geometry, this.angles.tth, unit);
      this.#radial.set(unit, p);
    }
    return p;
  }

  /** Each pixel's radial half-extent (largest centre-to-corner distance) in the unit's internal scale. */
  #radialDeltas(unit: RadialUnit): Float64Array {
    let d = this.#deltas.get(unit);
    if (!d) {
      const [rows, cols] = this.geometry.shape;
      d = cornerDeltas(this.#positions(unit), radialPositions(this.geometry, cornerTwoTheta(this.geometry), unit), rows, cols);
      this.#deltas.set(unit, d);
    }
    return d;
  }

  #plan(
    options: CommonOptions & { split?: "no" | "bbox" },
    unit: RadialUnit,
    npt: number,
    nptAzim?: number,
  ): { plan: BinningPlan; engine: Engine; csr?: CsrEngine; scale: number } {
    const method = options.method ?? "csr";
    const split = options.split ?? "no";
    if (split !== "no" && (split !== "bbox" || method !== "csr" || nptAzim !== undefined)) {
      throw parameterError(
        "split",
        `must be "no", or "bbox" with method "csr" in 1D (got ${String(split)} with ${method}${nptAzim === undefined ? "" : " in 2D"})`,
      );
    }
    if (method !== "csr" && method !== "histogram") throw parameterError("method", `must be "csr" or "histogram" (got ${String(method)})`);
    if (options.errorModel !== undefined && options.errorModel !== "poisson")
      throw parameterError("errorModel", `must be "poisson" or omitted (got ${String(options.errorModel)})`);
    const { scale } = RADIAL_UNITS[checkUnit(unit)];
    const corrections = pixelCorrections(this.geometry, this.angles, options);
    const radial = this.#positions(unit);
    const window = options.azimuthRange ? azimuthWindow(options.azimuthRange, this.angles.chi) : undefined;
    const chi = window?.chi ?? this.angles.chi;
    const azimuth = window?.range;
    const n = radial.length;
    const include = corrections.valid.slice();
    // pyFAI's CSR builder takes its default range over unmasked pixels, its histogram over all;
    // both over every azimuth, whatever the azimuth range (measured with pyFAI 0.21).
    const inRange = method === "csr" ? corrections.masked.map((m) => 1 - m) : undefined;
    if (azimuth && nptAzim === undefined) {
      for (let i = 0; i < n; i++) if (chi[i]! < azimuth[0] || chi[i]! > azimuth[1]) include[i] = 0;
    }
    const radialRange = options.radialRange ? ([options.radialRange[0] / scale, options.radialRange[1] / scale] as const) : undefined;
    // A split pixel spans [centre − delta, centre + delta]; the default axis starts at 0 at the lowest,
    // as pyFAI's (2θ and q are non-negative), and bboxContributions folds what lies below into bin 0.
    const deltas = split === "bbox" ? this.#radialDeltas(unit) : undefined;
    const low = deltas ? radial.map((x, i) => x - deltas[i]!) : radial;
    const high = deltas ? radial.map((x, i) => x + deltas[i]!) : radial;
    const radialAxis = makeAxis(
      { bins: nptAzim === undefined ? "npt" : "nptRad", range: "radialRange" },
      deltas ? low.map((x) => Math.max(x, 0)) : low,
      high,
      npt,
      inRange,
      radialRange,
    );
    const azimuthAxis = nptAzim === undefined ? undefined : makeAxis({ bins: "nptAzim", range: "azimuthRange" }, chi, chi, nptAzim, inRange, azimuth);
    const plan: BinningPlan = {
      corrections,
      include,
      radial,
      radialAxis,
      ...(azimuthAxis ? { chi, azimuthAxis } : {}),
      poisson: options.errorModel === "poisson",
    };
    if (method === "histogram") return { plan, engine: histogramEngine(plan), scale };
    const contributions = deltas
      ? bboxContributions(include, low, high, radialAxis)
      : wholePixels(pixelBins(include, radial, radialAxis, azimuthAxis && chi, azimuthAxis));
    const csr = new CsrEngine(plan, contributions);
    return { plan, engine: csr.integrate, csr, scale };
  }

  #checkFrame(frame: PixelArray): void {
    requirePixels("frame", frame, this.geometry.shape);
  }

  /** Prepares a 1D integration (pyFAI integrate1d) to apply to many frames. */
  prepare1d(options: Integrate1dOptions): Integrator<Integrate1dResult> {
    const unit = options.unit ?? "q_nm^-1";
    const method = options.method ?? "csr";
    const prepared = this.#plan(options, unit, options.npt);
    const radial = binCenters(prepared.plan.radialAxis, prepared.scale);
    return this.#integrator(prepared, radial.length, (sums) => ({ radial, unit, method, ...averages(sums) }));
  }

  /** Prepares a 2D (cake) integration (pyFAI integrate2d): radial × χ bins. */
  prepare2d(options: Integrate2dOptions): Integrator<Integrate2dResult> {
    const unit = options.unit ?? "2th_deg";
    const method = options.method ?? "csr";
    const prepared = this.#plan(options, unit, options.nptRad, options.nptAzim ?? 360);
    const radial = binCenters(prepared.plan.radialAxis, prepared.scale);
    const azimuthal = binCenters(prepared.plan.azimuthAxis!, 180 / Math.PI);
    return this.#integrator(prepared, radial.length * azimuthal.length, (sums) => ({ radial, azimuthal, unit, method, ...averages(sums) }));
  }

  #integrator<R>({ engine, csr }: { engine: Engine; csr?: CsrEngine }, bins: number, result: (sums: BinSums) => R): Integrator<R> {
    return {
      bins,
      integrate: (frame) => {
        this.#checkFrame(frame);
        return result(engine(frame));
      },
      integrateParallel: (frames, pool = IntegrationPool.shared()) => {
        if (!csr) throw parameterError("method", 'must be "csr" to integrate across threads (got "histogram")');
        for (const frame of frames) this.#checkFrame(frame);
        return pool.binSums(csr, frames).map(result);
      },
    };
  }

  /** One-shot 1D integration of a frame; use prepare1d for a series. */
  integrate1d(frame: PixelArray, options: Integrate1dOptions): Integrate1dResult {
    this.#checkFrame(frame);
    return this.prepare1d(options).integrate(frame);
  }

  /** One-shot 2D integration of a frame; use prepare2d for a series. */
  integrate2d(frame: PixelArray, options: Integrate2dOptions): Integrate2dResult {
    this.#checkFrame(frame);
    return this.prepare2d(options).integrate(frame);
  }
}
