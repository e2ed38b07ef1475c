/**
 * The analysis library's per-frame algorithms, registered for agents by name:
 *   "azint"     params { geometry, npt, unit?, method?, radialRange?, azimuthRange?, … } → the frame's
 *               1D pattern (Float64Array of npt intensities; stored as bytes with shape [frames, npt])
 *   "spotfind"  params { geometry?, minSpotSize?, … } → { spotCount, totalIntensity, estimatedDMin }
 *   "spots-per-frame"  the same, only the spot count (a grid-scan heatmap's value)
 * Integrators are prepared once per agent and parameters (the CSR lookup is the costly part).
 */
import { AzimuthalIntegrator, findSpots, type FindSpotsOptions, type Integrate1dOptions, type PixelArray } from "../analysis/index.ts";
import type { AlgorithmParams } from "../contracts/algorithms.ts";
import type { Frame } from "./h5-frames.ts";
import { registerAlgorithm } from "./algorithms.ts";

function frameOf(item: unknown, name: string): Frame & { data: PixelArray } {
  if (typeof item !== "object" || item === null || !("data" in item) || !("shape" in item))
    throw new TypeError(`${name} works on frames (input kind "frames")`);
  const f = item as Frame;
  if (f.shape.length !== 2) throw new TypeError(`${name} needs 2-D frames; this one has shape [${f.shape.join(", ")}]`);
  return f as Frame & { data: PixelArray };
}

const prepared = new Map<string, ReturnType<AzimuthalIntegrator["prepare1d"]>>();

/** Per-pixel arrays arrive as JSON number arrays; the library takes typed arrays (the same float64 values). */
function pixelArray(values: number[] | undefined): Float64Array | undefined {
  return values === undefined ? undefined : Float64Array.from(values);
}

function integrator(params: AlgorithmParams<"azint">) {
  const key = JSON.stringify(params);
  let p = prepared.get(key);
  if (!p) {
    const { geometry, dark, flat, ...rest } = params;
    const options: Integrate1dOptions = { ...rest, dark: pixelArray(dark), flat: pixelArray(flat) };
    p = new AzimuthalIntegrator(geometry).prepare1d(options);
    if (prepared.size > 16) prepared.clear();
    prepared.set(key, p);
  }
  return p;
}

function spotMetrics(item: unknown, params: AlgorithmParams<"spotfind">) {
  const f = frameOf(item, "spotfind");
  const { geometry, gain, ...rest } = params;
  const options: FindSpotsOptions = { ...rest, gain: Array.isArray(gain) ? Float64Array.from(gain) : gain };
  return findSpots(f.data, [f.shape[0]!, f.shape[1]!], options, geometry).metrics;
}

export function registerAnalysisAlgorithms(): void {
  registerAlgorithm("azint", (item, params) => integrator(params).integrate(frameOf(item, "azint").data).intensity);
  registerAlgorithm("spotfind", (item, params) => {
    const m = spotMetrics(item, params);
    return { spotCount: m.spotCount, totalIntensity: m.totalIntensity, estimatedDMin: m.estimatedDMin ?? null };
  });
  registerAlgorithm("spots-per-frame", (item, params) => spotMetrics(item, params).spotCount);
}
