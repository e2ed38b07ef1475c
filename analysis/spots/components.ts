import type { PixelArray } from "../azint/errors.ts";

/**
 * A spot: 4-connected strong pixels (DIALS' connectivity in one image). Coordinates are in pixels
 * with pixel (row r, column c) covering [c, c+1) × [r, r+1), so a pixel's centre is (c + ½, r + ½),
 * as in DIALS and pyFAI.
 */
export interface Spot {
  /** Intensity-weighted centroid, fast axis (column direction). */
  readonly x: number;
  /** Intensity-weighted centroid, slow axis (row direction). */
  readonly y: number;
  /** Sum of the raw values of its pixels (no background subtraction, as DIALS' spot finding reports). */
  readonly intensity: number;
  /** Number of pixels. */
  readonly size: number;
  /** Largest raw value. */
  readonly peak: number;
  /** Centre of the pixel holding the largest value (the first in raster order on a tie), as DIALS' peak coordinates. */
  readonly peakX: number;
  readonly peakY: number;
  /** Bounding box [x0, x1, y0, y1], half-open in pixel indices. */
  readonly bbox: readonly [number, number, number, number];
}

function root(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r]!;
  let j = i;
  while (parent[j] !== r) {
    const next = parent[j]!;
    parent[j] = r;
    j = next;
  }
  return r;
}

/**
 * Groups strong pixels into 4-connected spots (union–find over the image, then one accumulation
 * pass) and keeps those of minSize..maxSize pixels, in raster order of their first pixel.
 */
export function connectedSpots(image: PixelArray, strong: Uint8Array, shape: readonly [number, number], minSize: number, maxSize: number): Spot[] {
  const [rows, cols] = shape;
  const parent = new Int32Array(rows * cols).fill(-1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (!strong[k]) continue;
      parent[k] = k;
      if (c > 0 && strong[k - 1]) parent[root(parent, k)] = root(parent, k - 1);
      if (r > 0 && strong[k - cols]) {
        const a = root(parent, k);
        const b = root(parent, k - cols);
        if (a !== b) parent[a] = b;
      }
    }
  }
  const slot = new Map<number, number>();
  const acc: { s: number; sx: number; sy: number; n: number; peak: number; peakAt: number; x0: number; x1: number; y0: number; y1: number }[] = [];
  for (let k = 0; k < parent.length; k++) {
    if (parent[k]! < 0) continue;
    const label = root(parent, k);
    let index = slot.get(label);
    if (index === undefined) {
      index = acc.length;
      slot.set(label, index);
      acc.push({ s: 0, sx: 0, sy: 0, n: 0, peak: -Infinity, peakAt: k, x0: cols, x1: 0, y0: rows, y1: 0 });
    }
    const a = acc[index]!;
    const v = image[k]!;
    const r = Math.floor(k / cols);
    const c = k - r * cols;
    a.s += v;
    a.sx += v * (c + 0.5);
    a.sy += v * (r + 0.5);
    a.n += 1;
    if (v > a.peak) {
      a.peak = v;
      a.peakAt = k;
    }
    if (c < a.x0) a.x0 = c;
    if (c + 1 > a.x1) a.x1 = c + 1;
    if (r < a.y0) a.y0 = r;
    if (r + 1 > a.y1) a.y1 = r + 1;
  }
  return acc
    .filter((a) => a.n >= minSize && a.n <= maxSize && a.s > 0)
    .map((a) => ({
      x: a.sx / a.s,
      y: a.sy / a.s,
      intensity: a.s,
      size: a.n,
      peak: a.peak,
      peakX: (a.peakAt % cols) + 0.5,
      peakY: Math.floor(a.peakAt / cols) + 0.5,
      bbox: [a.x0, a.x1, a.y0, a.y1] as const,
    }));
}
