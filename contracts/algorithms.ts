import { z } from "./zod.ts";
import { InvalidInputError } from "../runtime/errors.ts";

/**
 * The named algorithms agents run (agent/algorithms.ts, agent/analysis-algorithms.ts) and each
 * one's parameters. The server refuses a run whose step names an unknown algorithm or gives it
 * bad parameters (recipe validation in runs.ts), lists them with their JSON Schema at
 * GET /api/lightbook/algorithms, and the agent parses parameters with the same schema before it
 * runs a step. Parameters are strict: a misspelt one is refused, not silently ignored.
 *
 * The analysis library's option types are the reference for azint and spotfind (the agent passes
 * the parsed parameters on, so the compiler checks that these schemas fit them).
 */

const finite = z.number();
const positive = z.number().positive();
const pair = z.tuple([z.number(), z.number()]);
/** Per-pixel values, row-major, one per detector pixel. */
const pixels = z.array(z.number()).max(100_000_000);

/** Detector geometry with pyFAI's PONI conventions: lengths in metres, angles in radians. */
export const geometry = z.strictObject({
  dist: positive.describe("sample to PONI distance along the detector normal (m)"),
  poni1: finite.describe("PONI along the slow axis, from the detector's first corner (m)"),
  poni2: finite.describe("PONI along the fast axis (m)"),
  rot1: finite.describe("rotation about axis 1 (rad)"),
  rot2: finite.describe("rotation about axis 2 (rad)"),
  rot3: finite.describe("rotation about axis 3, the beam (rad)"),
  wavelength: positive.optional().describe("wavelength (m); needed for q and d-spacings"),
  pixel1: positive.describe("pixel size along the slow axis (m)"),
  pixel2: positive.describe("pixel size along the fast axis (m)"),
  shape: z.tuple([z.number().int().positive(), z.number().int().positive()]).describe("detector shape [rows, columns]"),
});

const empty = z.strictObject({});

export const noopParams = empty;
export const sleepParams = z.strictObject({ ms: z.number().min(0).default(100).describe("milliseconds to wait") });
export const frameSumParams = empty;
export const sumParams = empty;

export const azintParams = z.strictObject({
  geometry,
  npt: z.number().int().positive().describe("number of radial bins"),
  unit: z.enum(["2th_deg", "2th_rad", "q_nm^-1", "q_A^-1"]).optional().describe('radial unit, as pyFAI names it (default "q_nm^-1")'),
  method: z
    .enum(["csr", "histogram"])
    .optional()
    .describe('"csr" (default): a lookup built once per agent and parameters; "histogram": bins every frame again'),
  split: z.enum(["no", "bbox"]).optional().describe('pixel splitting: "no" (default) or "bbox" (csr only)'),
  radialRange: pair.optional().describe("radial range in the output unit; pixels outside are ignored"),
  azimuthRange: pair.optional().describe("χ range in degrees"),
  errorModel: z.literal("poisson").optional(),
  mask: pixels.optional().describe("non-zero marks a pixel as masked"),
  dark: pixels.optional().describe("subtracted from the raw signal"),
  flat: pixels.optional().describe("divides the signal"),
  correctSolidAngle: z.boolean().optional().describe("divide by the solid angle (default true)"),
  polarizationFactor: z.number().min(-1).max(1).optional(),
  polarizationAxisOffset: finite.optional(),
  normalizationFactor: finite.refine((v) => v !== 0, "must be non-zero").optional(),
});

export const spotfindParams = z.strictObject({
  geometry: geometry.optional().describe("with a wavelength, spots get d-spacings and frames a resolution estimate"),
  minSpotSize: z.number().int().min(1).optional().describe("smallest spot in pixels (default 3)"),
  maxSpotSize: z.number().int().min(1).optional().describe("largest spot in pixels (default 1000)"),
  kernelSize: z
    .tuple([z.number().int().min(0), z.number().int().min(0)])
    .optional()
    .describe("half-size [x, y] of the local box (default [3, 3])"),
  gain: z.union([positive, pixels]).optional().describe("detector gain: one value or one per pixel (default 1)"),
  sigmaBackground: finite.optional().describe("index-of-dispersion threshold in standard deviations (default 6)"),
  sigmaStrong: finite.optional().describe("pixel-above-local-mean threshold in standard deviations (default 3)"),
  minLocal: z.number().int().min(0).optional().describe("fewest valid pixels in the box for a pixel to be tested (default 2)"),
  globalThreshold: finite.optional().describe("pixels at or below this value are never strong (default 0)"),
  mask: pixels.optional().describe("non-zero marks a pixel as masked"),
});

export const ALGORITHMS = {
  noop: { description: "Does nothing: measures the scheduling overhead.", params: noopParams },
  sleep: { description: "Waits `ms` milliseconds, then returns the item: a stand-in for work of known length.", params: sleepParams },
  "frame-sum": { description: 'The sum of one frame\'s pixels (input kind "frames").', params: frameSumParams },
  sum: { description: 'The sum of an earlier step\'s results (input kind "results"), or of numbers.', params: sumParams },
  azint: { description: "Azimuthal integration of each frame to a 1D pattern of `npt` intensities (pyFAI's integrate1d).", params: azintParams },
  spotfind: { description: "Spot finding with DIALS' dispersion threshold: { spotCount, totalIntensity, estimatedDMin } per frame.", params: spotfindParams },
  "spots-per-frame": { description: "Spot finding as spotfind, only the spot count (a grid-scan heatmap's value).", params: spotfindParams },
} as const satisfies Record<string, { description: string; params: z.ZodType<Record<string, unknown>> }>;

export type AlgorithmName = keyof typeof ALGORITHMS;
/** An algorithm's parameters as the agent gets them (defaults filled in). */
export type AlgorithmParams<N extends AlgorithmName> = z.output<(typeof ALGORITHMS)[N]["params"]>;

export function isAlgorithmName(name: string): name is AlgorithmName {
  return Object.hasOwn(ALGORITHMS, name);
}

export const ALGORITHM_NAMES = Object.keys(ALGORITHMS).sort() as AlgorithmName[];

/** One entry of GET /api/lightbook/algorithms. */
export const algorithmModel = z.object({
  name: z.string(),
  description: z.string(),
  /** JSON Schema (draft 2020-12) of the parameters as they are submitted. */
  params: z.record(z.string(), z.unknown()),
});
export type AlgorithmModel = z.infer<typeof algorithmModel>;

export function algorithmModels(): AlgorithmModel[] {
  return ALGORITHM_NAMES.map((name) => ({ name, description: ALGORITHMS[name].description, params: z.toJSONSchema(ALGORITHMS[name].params, { io: "input" }) }));
}

/** Where a parameter is wrong and why, with `path` relative to the parameters. */
export interface ParamIssue {
  path: (string | number)[];
  message: string;
}

/** The issues of parameters that do not fit their algorithm, each naming its parameter. */
export function paramIssues(name: AlgorithmName, error: z.ZodError): ParamIssue[] {
  return error.issues.flatMap((issue): ParamIssue[] => {
    if (issue.code === "unrecognized_keys") {
      const known = Object.keys(ALGORITHMS[name].params.shape);
      return issue.keys.map((k) => ({
        path: [...issue.path.map(pathKey), k],
        message: `unknown parameter of ${name} (${known.length ? `it takes ${known.join(", ")}` : "it takes none"})`,
      }));
    }
    return [{ path: issue.path.map(pathKey), message: issue.message }];
  });
}

function pathKey(p: PropertyKey): string | number {
  return typeof p === "number" ? p : String(p);
}

/** Parameters that do not fit their algorithm: input that can never succeed as given. */
export class InvalidParamsError extends InvalidInputError {}

/** An algorithm's parameters parsed, or an InvalidParamsError naming the first bad parameter. */
export function parseParams<N extends AlgorithmName>(name: N, params: unknown): AlgorithmParams<N> {
  const r = ALGORITHMS[name].params.safeParse(params ?? {});
  if (r.success) return r.data as AlgorithmParams<N>;
  const issue = paramIssues(name, r.error)[0]!;
  throw new InvalidParamsError(`${name}: parameter ${issue.path.join(".") || "(all)"}: ${issue.message}`);
}
