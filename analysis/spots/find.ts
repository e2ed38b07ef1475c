import { parameterError, type PixelArray, requireNumber } from "../azint/errors.ts";
import { checkGeometry, dSpacing, type Geometry, requireWavelength, twoThetaAt } from "../azint/geometry.ts";
import { runSpots, type Spot } from "./components.ts";
import { type DispersionOptions, dispersionRuns } from "./dispersion.ts";
import { estimateResolution } from "./resolution.ts";

export interface FindSpotsOptions extends DispersionOptions {
  /** Smallest spot in pixels. Default 3 (DIALS' default for photon-counting detectors). */
  readonly minSpotSize?: number;
  /** Largest spot in pixels. Default 1000, as DIALS. */
  readonly maxSpotSize?: number;
  /**
   * Largest distance (pixels) between a spot's brightest pixel and its centroid: DIALS'
   * max_separation, default 2. It drops streaks and flat blobs, whose peak is not where their
   * weight is.
   */
  readonly maxSeparation?: number;
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
   * Resolution estimate (Å), DIALS' per-image one (resolution.ts): the highest-resolution spot below
   * the line through the upper ln(I/σ) of resolution shells, σ² being the summed counts (Poisson).
   * Undefined without a geometry or with 10 spots or fewer.
   */
  readonly estimatedDMin?: number;
}

export interface SpotFindingResult {
  readonly spots: ResolvedSpot[];
  readonly metrics: ImageMetrics;
}

/**
 * Spot finding on one image with DIALS' dispersion semantics: threshold (dispersionThreshold),
 * 4-connected components (DIALS labels a pixel with its left and upper neighbours in 2D), size
 * filter, peak–centroid distance filter; with a geometry each spot gets its d-spacing and the image
 * a resolution estimate. The image is row-major with the detector's shape.
 */
export function findSpots(image: PixelArray, shape: readonly [number, number], options: FindSpotsOptions = {}, geometry?: Geometry): SpotFindingResult {
  const minSize = requireNumber("minSpotSize", options.minSpotSize ?? 3, "a positive integer", (v) => Number.isInteger(v) && v >= 1);
  const maxSize = requireNumber("maxSpotSize", options.maxSpotSize ?? 1000, "an integer ≥ minSpotSize", (v) => Number.isInteger(v) && v >= minSize);
  const maxSeparation = requireNumber("maxSeparation", options.maxSeparation ?? 2, "a non-negative number of pixels", (v) => v >= 0);
  if (geometry && (checkGeometry(geometry).shape[0] !== shape[0] || geometry.shape[1] !== shape[1])) {
    throw parameterError("shape", `[${shape.join(", ")}] is not the geometry's detector shape [${geometry.shape.join(", ")}]`);
  }
  const found = runSpots(image, dispersionRuns(image, shape, options), shape, minSize, maxSize).filter(
    (s) => Math.hypot(s.peakX - s.x, s.peakY - s.y) <= maxSeparation,
  );
  const wavelength = geometry ? requireWavelength(geometry) : undefined;
  const spots: ResolvedSpot[] = geometry && wavelength ? found.map((s) => ({ ...s, d: dSpacing(twoThetaAt(geometry, s.y, s.x), wavelength) })) : found;
  const dMin = geometry ? estimateResolution(spots.map((s) => ({ d: s.d!, intensity: s.intensity, variance: s.intensity }))) : undefined;
  return {
    spots,
    metrics: {
      spotCount: spots.length,
      totalIntensity: spots.reduce((t, s) => t + s.intensity, 0),
      ...(dMin === undefined ? {} : { estimatedDMin: dMin }),
    },
  };
}
