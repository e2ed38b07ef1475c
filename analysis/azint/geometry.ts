import { parameterError, requireNumber } from "./errors.ts";

/**
 * Detector geometry with pyFAI's conventions (pyFAI.geometry, "PONI" geometry): lengths in metres,
 * angles in radians. Axis 1 is the slow (row) axis, axis 2 the fast (column) axis; the PONI is the
 * foot of the perpendicular from the sample to the detector plane, measured from the detector's
 * first corner; rot1–rot3 tilt the detector about axes 1, 2 and 3 (the beam), applied in that order.
 */
export interface Geometry {
  /** Sample to PONI distance along the detector normal (m). */
  readonly dist: number;
  readonly poni1: number;
  readonly poni2: number;
  readonly rot1: number;
  readonly rot2: number;
  readonly rot3: number;
  /** Wavelength (m); needed for q and d-spacings, not for 2θ. */
  readonly wavelength?: number;
  /** Pixel size along the slow axis (rows) and fast axis (columns), in m. */
  readonly pixel1: number;
  readonly pixel2: number;
  /** Detector shape [rows, columns]. */
  readonly shape: readonly [number, number];
}

/** Checks every parameter and returns the geometry, or throws a ParameterError naming the bad one. */
export function checkGeometry(g: Geometry): Geometry {
  requireNumber("dist", g.dist, "a positive distance in metres", (v) => v > 0);
  for (const name of ["poni1", "poni2", "rot1", "rot2", "rot3"] as const) requireNumber(name, g[name], "a finite number", () => true);
  if (g.wavelength !== undefined) requireNumber("wavelength", g.wavelength, "a positive wavelength in metres", (v) => v > 0);
  requireNumber("pixel1", g.pixel1, "a positive pixel size in metres", (v) => v > 0);
  requireNumber("pixel2", g.pixel2, "a positive pixel size in metres", (v) => v > 0);
  if (!Array.isArray(g.shape) || g.shape.length !== 2 || !g.shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw parameterError("shape", `must be [rows, columns] of positive integers (got ${JSON.stringify(g.shape)})`);
  }
  return g;
}

/** The wavelength, or an error naming it when q or d is asked of a geometry without one. */
export function requireWavelength(g: Geometry): number {
  if (g.wavelength === undefined) throw parameterError("wavelength", "is required for q and d-spacing");
  return g.wavelength;
}

/**
 * Coefficients of pyFAI's rotation R = R3·R2·R1 applied to a detector point (p1, p2, L) with p
 * measured from the PONI: t = R·p gives lab coordinates (t1 vertical, t2 horizontal, t3 along the
 * beam). R1 and R2 are left-handed and R3 right-handed, as pyFAI documents; written out once here
 * so that the per-pixel loops need only multiply-adds.
 */
type Rotation = readonly [number, number, number, number, number, number, number, number, number];

function rotation(g: Geometry): Rotation {
  const [c1, s1, c2, s2, c3, s3] = [Math.cos(g.rot1), Math.sin(g.rot1), Math.cos(g.rot2), Math.sin(g.rot2), Math.cos(g.rot3), Math.sin(g.rot3)];
  return [c2 * c3, c3 * s1 * s2 - c1 * s3, -(c1 * c3 * s2 + s1 * s3), c2 * s3, c1 * c3 + s1 * s2 * s3, -(c1 * s2 * s3 - c3 * s1), s2, -c2 * s1, c1 * c2];
}

/** Per-pixel angles at pixel centres, row-major: 2θ and χ (rad), and cos of the incidence angle. */
export interface PixelAngles {
  readonly tth: Float64Array;
  readonly chi: Float64Array;
  readonly cosIncidence: Float64Array;
}

/**
 * 2θ = atan2(√(t1²+t2²), t3), χ = atan2(t1, t2) (in (−π, π], pyFAI's default discontinuity at π) and
 * the incidence cosine dist/√(dist²+p1²+p2²) that pyFAI's solid angle uses, on a rows × cols grid of
 * detector points at ((i + offset)·pixel1, (j + offset)·pixel2). Hand-written numeric loop: one
 * pass, no per-point allocation; χ and the cosine only when their arrays are given.
 */
function angleGrid(g: Geometry, rows: number, cols: number, offset: number, tth: Float64Array, chi?: Float64Array, cosIncidence?: Float64Array): void {
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = rotation(g);
  const L = g.dist;
  for (let i = 0; i < rows; i++) {
    const p1 = (i + offset) * g.pixel1 - g.poni1;
    const a1 = r11 * p1 + r13 * L;
    const a2 = r21 * p1 + r23 * L;
    const a3 = r31 * p1 + r33 * L;
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      const p2 = (j + offset) * g.pixel2 - g.poni2;
      const t1 = a1 + r12 * p2;
      const t2 = a2 + r22 * p2;
      const t3 = a3 + r32 * p2;
      tth[row + j] = Math.atan2(Math.sqrt(t1 * t1 + t2 * t2), t3);
      if (chi) chi[row + j] = Math.atan2(t1, t2);
      if (cosIncidence) cosIncidence[row + j] = L / Math.sqrt(L * L + p1 * p1 + p2 * p2);
    }
  }
}

/** 2θ and χ (rad) and the incidence cosine at every pixel centre ((i + ½)·pixel), row-major. */
export function pixelAngles(geometry: Geometry): PixelAngles {
  const g = checkGeometry(geometry);
  const [rows, cols] = g.shape;
  const n = rows * cols;
  const angles = { tth: new Float64Array(n), chi: new Float64Array(n), cosIncidence: new Float64Array(n) };
  angleGrid(g, rows, cols, 0.5, angles.tth, angles.chi, angles.cosIncidence);
  return angles;
}

/** 2θ (rad) at the (rows + 1) × (cols + 1) pixel corners, row-major. */
export function cornerTwoTheta(geometry: Geometry): Float64Array {
  const g = checkGeometry(geometry);
  const [rows, cols] = g.shape;
  const tth = new Float64Array((rows + 1) * (cols + 1));
  angleGrid(g, rows + 1, cols + 1, 0, tth);
  return tth;
}

/** 2θ (rad) at a fractional pixel position, with pixel (r, c) spanning [c, c+1) × [r, r+1). */
export function twoThetaAt(geometry: Geometry, row: number, column: number): number {
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = rotation(geometry);
  const p1 = row * geometry.pixel1 - geometry.poni1;
  const p2 = column * geometry.pixel2 - geometry.poni2;
  const L = geometry.dist;
  const t1 = r11 * p1 + r12 * p2 + r13 * L;
  const t2 = r21 * p1 + r22 * p2 + r23 * L;
  const t3 = r31 * p1 + r32 * p2 + r33 * L;
  return Math.atan2(Math.sqrt(t1 * t1 + t2 * t2), t3);
}

/** Scattering vector length q = 4π sin(2θ/2)/λ in nm⁻¹ (pyFAI's "q_nm^-1"), λ in m. */
export function qFromTwoTheta(tth: number, wavelength: number): number {
  return (4e-9 * Math.PI * Math.sin(tth / 2)) / wavelength;
}

/** Bragg d-spacing in Å for a scattering angle 2θ (rad) and λ in m. */
export function dSpacing(tth: number, wavelength: number): number {
  return (wavelength * 1e10) / (2 * Math.sin(tth / 2));
}
