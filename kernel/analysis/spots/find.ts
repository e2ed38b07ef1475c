import { parameterError, type PixelArray, requireNumber } from "../azint/errors.ts";
import { checkGeometry, dSpacing, type Geometry, requireWavelength, twoThetaAt } from "../azint/geometry.ts";
import { connectedSpots, type Spot } from "./components.ts";
import { type DispersionOptions, dispersionThreshold } from "./dispersion.ts";

export interface FindSpotsOptions extends DispersionOptions {
  /** Smallest spot in pixels. Default 3 (DIALS' default for photon-counting detectors). */
  readonly minSpotSize?: number;
  /** Largest spot in pixels. Default 1000, as DIALS. */
  readonly maxSpotSize?: number;
}

/** A spot with its resolution, when a geometry was given. */
export interface ResolvedSpot extends Spot {
  /** Bragg d-spacing at the centroid, Å. */
  readonly d?: number;
}

/** Per-image numbers for grid-scan feedback, as DIALS' per-image analysis reports them. */
export interface ImageMetrics {
  readonly spotCount: number;
  /** Sum of the spots' intensities. */
  readonly totalIntensity: number;
  /**
   * Resolution estimate (Å): the d-spacing that 95 % of the spots lie below in resolution
   * (1/d² at the 95th percentile), so that one stray outer spot does not set it. Undefined
   * without a geometry or spots.
   */
  readonly estimatedDMin?: number;
}

export interface SpotFindingResult {
  readonly spots: ResolvedSpot[];
  readonly metrics: ImageMetrics;
}

/** Resolution estimate from spot d-spacings: the 95th percentile in 1/d², reported as d (Å). */
export function estimateDMin(dSpacings: readonly number[]): number | undefined {
  if (dSpacings.length === 0) return undefined;
  const s = dSpacings.map((d) => 1 / (d * d)).sort((a, b) => a - b);
  const at = s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!;
  return 1 / Math.sqrt(at);
}

/**
 * Spot finding on one image with DIALS' dispersion semantics: threshold (dispersionThreshold),
 * 4-connected components, size filter; with a geometry each spot gets its d-spacing and the image
 * a resolution estimate. The image is row-major with the detector's shape.
 */
export function findSpots(image: PixelArray, shape: readonly [number, number], options: FindSpotsOptions = {}, geometry?: Geometry): SpotFindingResult {
  const minSize = requireNumber("minSpotSize", options.minSpotSize ?? 3, "a positive integer", (v) => Number.isInteger(v) && v >= 1);
  const maxSize = requireNumber("maxSpotSize", options.maxSpotSize ?? 1000, "an integer ≥ minSpotSize", (v) => Number.isInteger(v) && v >= minSize);
  if (geometry && (checkGeometry(geometry).shape[0] !== shape[0] || geometry.shape[1] !== shape[1])) {
    throw parameterError("shape", `[${shape.join(", ")}] is not the geometry's detector shape [${geometry.shape.join(", ")}]`);
  }
  const strong = dispersionThreshold(image, shape, options);
  const found = connectedSpots(image, strong, shape, minSize, maxSize);
  const wavelength = geometry ? requireWavelength(geometry) : undefined;
  const spots: ResolvedSpot[] =
    geometry && wavelength ? found.map((s) => ({ ...s, d: dSpacing(twoThetaAt(geometry, s.y, s.x), wavelength) })) : found;
  const dMin = estimateDMin(spots.flatMap((s) => (s.d !== undefined && Number.isFinite(s.d) ? [s.d] : [])));
  return {
    spots,
    metrics: {
      spotCount: spots.length,
      totalIntensity: spots.reduce((t, s) => t + s.intensity, 0),
      ...(dMin === undefined ? {} : { estimatedDMin: dMin }),
    },
  };
}
