import path from "node:path";
import { type DemoDetector, writeNexusScan } from "./nexus-scan.ts";
import { mulberry32, poisson } from "./random.ts";

/** Where the demo grid scan lands under the data root: a crystal in a loop, rastered through the beam. */
export const DEMO_GRID = "demo/grid_0001.h5";

/** Rows × columns of the raster, scanned as a snake (odd rows right to left), one frame per point. */
export const GRID_SHAPE: readonly [rows: number, cols: number] = [8, 10];
const STEP_UM = 20;
const SIZE = 256;
/** A Pilatus-like detector close enough to record spots to ~2.3 Å in its corners. */
const DETECTOR: DemoDetector = { distance: 0.07, pixelSize: 172e-6, beamCentre: [130.3, 124.6], wavelength: 0.9537e-10 };
/** Orthorhombic cell (Å) and orientation (Euler angles, radians) of the crystal. */
const CELL = [38, 46, 54] as const;
const ORIENTATION = [0.41, 1.13, -0.77] as const;
/** Wilson B factor (Å²): intensities fall off as exp(−B / 2d²), which sets the resolution the spots reach. */
const B_FACTOR = 22;
/** Width (Å⁻¹) of the Ewald sphere's excitation: mosaic spread and bandwidth of a still image. */
const EXCITATION = 0.0009;
const SPOT_SIGMA_PX = 0.85;
/** Photons in a mean reflection at d → ∞ with the whole crystal in the beam. */
const SCALE = 6000;
/** Where the crystal sits in the raster (grid units) and its extent (σ, grid units). */
const CRYSTAL = { row: 3.4, col: 5.8, sigmaRow: 1.1, sigmaCol: 1.5 };

function rotation([a, b, c]: readonly [number, number, number]): number[][] {
  const [ca, sa, cb, sb, cc, sc] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b), Math.cos(c), Math.sin(c)];
  // z-x-z Euler rotation
  return [
    [ca * cc - sa * cb * sc, -ca * sc - sa * cb * cc, sa * sb],
    [sa * cc + ca * cb * sc, -sa * sc + ca * cb * cc, -ca * sb],
    [sb * sc, sb * cc, cb],
  ];
}

interface Reflection {
  /** Position in the spot finder's pixel coordinates (pixel (r, c) covers [c, c+1) × [r, r+1)). */
  readonly x: number;
  readonly y: number;
  /** Photons with the whole crystal in the beam. */
  readonly photons: number;
}

/**
 * The still image's reflections: every reciprocal-lattice point h of the rotated cell near the
 * Ewald sphere (beam along +z, |s0| = 1/λ) diffracts along s1 = s0 + h with a partiality that falls
 * off with its distance from the sphere, and lands where s1 meets the detector plane.
 */
function reflections(random: () => number): Reflection[] {
  const u = rotation(ORIENTATION);
  const k = 1 / (DETECTOR.wavelength * 1e10);
  // Reflections to 2 Å: beyond the detector's corners (~2.3 Å).
  const limit = 1 / 2;
  const [hmax, kmax, lmax] = CELL.map((a) => Math.ceil(a * limit));
  const out: Reflection[] = [];
  for (let h = -hmax!; h <= hmax!; h++) {
    for (let kk = -kmax!; kk <= kmax!; kk++) {
      for (let l = -lmax!; l <= lmax!; l++) {
        const q0 = [h / CELL[0], kk / CELL[1], l / CELL[2]];
        const q = u.map((row) => row[0]! * q0[0]! + row[1]! * q0[1]! + row[2]! * q0[2]!);
        const s1 = [q[0]!, q[1]!, q[2]! + k];
        const excitation = Math.hypot(s1[0]!, s1[1]!, s1[2]!) - k;
        if (Math.abs(excitation) > 3 * EXCITATION || s1[2]! <= 0 || (h === 0 && kk === 0 && l === 0)) continue;
        const x = DETECTOR.beamCentre[0] + 0.5 + (DETECTOR.distance * s1[0]!) / s1[2]! / DETECTOR.pixelSize;
        const y = DETECTOR.beamCentre[1] + 0.5 + (DETECTOR.distance * s1[1]!) / s1[2]! / DETECTOR.pixelSize;
        if (x < 3 || y < 3 || x > SIZE - 3 || y > SIZE - 3) continue;
        const inverseD2 = q[0]! ** 2 + q[1]! ** 2 + q[2]! ** 2;
        // Wilson statistics: an acentric reflection's intensity is exponentially distributed about the mean.
        const strength = -Math.log(1 - random()) * Math.exp((-B_FACTOR * inverseD2) / 2);
        const partiality = Math.exp(-0.5 * (excitation / EXCITATION) ** 2);
        out.push({ x, y, photons: SCALE * strength * partiality });
      }
    }
  }
  return out;
}

/** Mean counts of the reflections with the whole crystal in the beam: Gaussian spots sampled at pixel centres. */
function spotImage(spots: readonly Reflection[]): Float64Array {
  const image = new Float64Array(SIZE * SIZE);
  const reach = Math.ceil(4 * SPOT_SIGMA_PX);
  const norm = 1 / (2 * Math.PI * SPOT_SIGMA_PX ** 2);
  for (const s of spots) {
    for (let r = Math.max(0, Math.floor(s.y) - reach); r <= Math.min(SIZE - 1, Math.floor(s.y) + reach); r++) {
      for (let c = Math.max(0, Math.floor(s.x) - reach); c <= Math.min(SIZE - 1, Math.floor(s.x) + reach); c++) {
        const d2 = (c + 0.5 - s.x) ** 2 + (r + 0.5 - s.y) ** 2;
        image[r * SIZE + c]! += s.photons * norm * Math.exp(-d2 / (2 * SPOT_SIGMA_PX ** 2));
      }
    }
  }
  return image;
}

/** Background counts: air and the loop (flat) and the solvent's diffuse ring near 3.4 Å. */
function backgroundImage(): Float64Array {
  const image = new Float64Array(SIZE * SIZE);
  const k = 1 / (DETECTOR.wavelength * 1e10);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const radius = Math.hypot(c + 0.5 - DETECTOR.beamCentre[0] - 0.5, r + 0.5 - DETECTOR.beamCentre[1] - 0.5) * DETECTOR.pixelSize;
      const inverseD = 2 * k * Math.sin(Math.atan(radius / DETECTOR.distance) / 2);
      image[r * SIZE + c] = 3 + 5 * Math.exp(-(((inverseD - 1 / 3.4) / 0.04) ** 2));
    }
  }
  return image;
}

/** How much of the crystal frame f of the snake raster sees, 0..1, and that frame's grid position. */
export function gridPoint(f: number): { row: number; col: number; illuminated: number } {
  const row = Math.floor(f / GRID_SHAPE[1]);
  const along = f % GRID_SHAPE[1];
  const col = row % 2 === 0 ? along : GRID_SHAPE[1] - 1 - along;
  const illuminated = Math.exp(-0.5 * (((row - CRYSTAL.row) / CRYSTAL.sigmaRow) ** 2 + ((col - CRYSTAL.col) / CRYSTAL.sigmaCol) ** 2));
  return { row, col, illuminated };
}

/**
 * The grid scan: a crystal in a loop rastered through the beam. Each frame is a still image of the
 * same crystal, its reflections predicted from the unit cell and orientation with the detector
 * geometry, scaled by how much of the crystal the beam hits at that grid point (so the number of
 * spots above the noise, their intensity and their resolution vary smoothly, with a blob where the
 * crystal is), on a background with Poisson noise. Stored as uint16 (half the bytes to compress).
 */
export async function writeDemoGrid(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, DEMO_GRID);
  const random = mulberry32(2718);
  const spots = spotImage(reflections(random));
  const background = backgroundImage();
  const count = GRID_SHAPE[0] * GRID_SHAPE[1];
  const frames = new Uint16Array(count * SIZE * SIZE);
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let f = 0; f < count; f++) {
    const { row, col, illuminated } = gridPoint(f);
    x[f] = col * STEP_UM;
    y[f] = row * STEP_UM;
    const offset = f * SIZE * SIZE;
    for (let i = 0; i < SIZE * SIZE; i++) {
      frames[offset + i] = Math.min(65535, poisson(random, background[i]! * (1 + 0.3 * illuminated) + illuminated * spots[i]!));
    }
  }
  await writeNexusScan(file, frames, [count, SIZE, SIZE], DETECTOR, { x, y, units: "um" });
  return file;
}
