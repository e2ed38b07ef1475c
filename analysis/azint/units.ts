import { parameterError } from "./errors.ts";
import { type Geometry, requireWavelength } from "./geometry.ts";

/**
 * Radial units, named as pyFAI names them. Positions are computed in each kind's internal unit
 * (2θ in rad, q in nm⁻¹) and multiplied by `scale` for output, as pyFAI does; a radial range given
 * by the caller is divided by it.
 */
export type RadialUnit = "2th_deg" | "2th_rad" | "q_nm^-1" | "q_A^-1";

export const RADIAL_UNITS: Record<RadialUnit, { kind: "2th" | "q"; scale: number }> = {
  "2th_deg": { kind: "2th", scale: 180 / Math.PI },
  "2th_rad": { kind: "2th", scale: 1 },
  "q_nm^-1": { kind: "q", scale: 1 },
  "q_A^-1": { kind: "q", scale: 0.1 },
};

export function checkUnit(unit: string): RadialUnit {
  if (!(unit in RADIAL_UNITS)) throw parameterError("unit", `must be one of ${Object.keys(RADIAL_UNITS).join(", ")} (got ${unit})`);
  return unit as RadialUnit;
}

/** Radial positions for 2θ values (rad) in the unit's internal scale (rad for 2θ, nm⁻¹ for q). */
export function radialPositions(geometry: Geometry, tth: Float64Array, unit: RadialUnit): Float64Array {
  if (RADIAL_UNITS[unit].kind === "2th") return tth;
  const k = (4e-9 * Math.PI) / requireWavelength(geometry);
  const q = new Float64Array(tth.length);
  for (let i = 0; i < q.length; i++) q[i] = k * Math.sin(tth[i]! / 2);
  return q;
}
