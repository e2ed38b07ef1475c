/**
 * Rotation-centre finding from the sinogram's centre of mass. For parallel beams the centre of
 * mass of each projection is the projection of the object's centre of mass, so it follows
 * c(θ) = c0 + a cos θ + b sin θ exactly; a least-squares fit over the scan gives the axis c0.
 * It needs line integrals that are near zero outside the sample (normalized, −log) and angles
 * that span at least 180°; it is exact for noise-free data and fast (one pass over the sinogram).
 */
import { ParameterError } from "../errors.ts";
import type { Sinogram } from "./fbp.ts";

/** Detector position (pixels, 0 = first pixel) of the rotation axis, in skimage's `center` sense. */
export function rotationCenter(sinogram: Sinogram, angles: ArrayLike<number>): number {
  const [size, count] = sinogram.shape as [number, number];
  if (angles.length !== count)
    throw new ParameterError(`the sinogram has ${count} angle columns but ${angles.length} angles were given`, { parameter: "angles" });
  // Normal equations of the 3-parameter fit, accumulated over angles with any mass.
  const ata = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const atb = [0, 0, 0];
  for (let a = 0; a < count; a++) {
    let mass = 0;
    let moment = 0;
    for (let i = 0; i < size; i++) {
      const v = sinogram.data[i * count + a]!;
      mass += v;
      moment += v * i;
    }
    if (!(mass > 0)) continue;
    const theta = (angles[a]! * Math.PI) / 180;
    const row = [1, Math.cos(theta), Math.sin(theta)];
    const c = moment / mass;
    for (let r = 0; r < 3; r++) {
      atb[r]! += row[r]! * c;
      for (let k = 0; k < 3; k++) ata[r * 3 + k]! += row[r]! * row[k]!;
    }
  }
  const solution = solve3(ata, atb);
  if (!solution)
    throw new ParameterError("cannot find the rotation centre: the angles must span at least 180° and the sinogram must hold signal", {
      parameter: "sinogram",
    });
  return solution[0];
}

/** Solves a 3×3 system by Cramer's rule; undefined when singular. */
function solve3(m: number[], b: number[]): [number, number, number] | undefined {
  const det = (a: number[]) => a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) - a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) + a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const d = det(m);
  if (Math.abs(d) < 1e-9 * Math.max(1, Math.abs(m[0]!)) ** 3) return undefined;
  const col = (j: number) => m.map((v, i) => (i % 3 === j ? b[Math.floor(i / 3)]! : v));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}
