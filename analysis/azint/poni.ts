import { parameterError } from "./errors.ts";
import { checkGeometry, type Geometry } from "./geometry.ts";

/**
 * Shape and pixel size of the detectors a PONI file may name without a Detector_config (values of
 * pyFAI 0.21's detector classes). Only geometry: their module-gap masks are not reproduced, so pass
 * the detector's own pixel mask (e.g. the Eiger `pixel_mask` from the NeXus file) as `mask`.
 */
const KNOWN_DETECTORS: Record<string, { pixel: number; shape: [number, number] }> = {
  eiger4m: { pixel: 75e-6, shape: [2167, 2070] },
  eiger9m: { pixel: 75e-6, shape: [3269, 3110] },
  eiger16m: { pixel: 75e-6, shape: [4371, 4150] },
  eiger2_4m: { pixel: 75e-6, shape: [2162, 2068] },
  eiger2_9m: { pixel: 75e-6, shape: [3262, 3108] },
  eiger2_16m: { pixel: 75e-6, shape: [4362, 4148] },
  pilatus1m: { pixel: 172e-6, shape: [1043, 981] },
  pilatus2m: { pixel: 172e-6, shape: [1679, 1475] },
  pilatus6m: { pixel: 172e-6, shape: [2527, 2463] },
};

function numberField(fields: Map<string, string>, key: string, parameter: string, fallback?: number): number {
  const text = fields.get(key);
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw parameterError(parameter, `missing from the PONI file (no "${key}:" line)`);
  }
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw parameterError(parameter, `"${text}" in the PONI file is not a number`);
  return value;
}

function detectorConfig(fields: Map<string, string>): { pixel1?: number; pixel2?: number; shape?: [number, number] } {
  const text = fields.get("detector_config");
  if (text === undefined || text.trim() === "") return {};
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw parameterError("Detector_config", `is not valid JSON: ${text}`);
  }
  if (typeof config !== "object" || config === null) throw parameterError("Detector_config", "must be a JSON object");
  const c = config as Record<string, unknown>;
  const shape = Array.isArray(c.max_shape) && c.max_shape.length === 2 ? ([Number(c.max_shape[0]), Number(c.max_shape[1])] as [number, number]) : undefined;
  return {
    pixel1: typeof c.pixel1 === "number" ? c.pixel1 : undefined,
    pixel2: typeof c.pixel2 === "number" ? c.pixel2 : undefined,
    shape,
  };
}

/**
 * Parses pyFAI's PONI text format (version 1 with PixelSize1/2, or version 2 with Detector and
 * Detector_config) into a checked Geometry. `shape` is needed when the file does not give one
 * (version 1, or a generic detector without max_shape).
 */
export function parsePoni(text: string, shape?: readonly [number, number]): Geometry {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const colon = trimmed.indexOf(":");
    if (colon < 0) continue;
    fields.set(trimmed.slice(0, colon).trim().toLowerCase(), trimmed.slice(colon + 1).trim());
  }
  const config = detectorConfig(fields);
  const known = KNOWN_DETECTORS[(fields.get("detector") ?? "").toLowerCase().replace(/[\s-]/g, "")];
  const pixel1 = config.pixel1 ?? known?.pixel ?? numberField(fields, "pixelsize1", "pixel1");
  const pixel2 = config.pixel2 ?? known?.pixel ?? numberField(fields, "pixelsize2", "pixel2");
  const detectorShape = shape ?? config.shape ?? known?.shape;
  if (detectorShape === undefined) throw parameterError("shape", "the PONI file gives no detector shape; pass it as the second argument");
  const wavelength = fields.has("wavelength") ? numberField(fields, "wavelength", "wavelength") : undefined;
  return checkGeometry({
    dist: numberField(fields, "distance", "dist"),
    poni1: numberField(fields, "poni1", "poni1"),
    poni2: numberField(fields, "poni2", "poni2"),
    rot1: numberField(fields, "rot1", "rot1", 0),
    rot2: numberField(fields, "rot2", "rot2", 0),
    rot3: numberField(fields, "rot3", "rot3", 0),
    ...(wavelength === undefined ? {} : { wavelength }),
    pixel1,
    pixel2,
    shape: [detectorShape[0], detectorShape[1]],
  });
}
