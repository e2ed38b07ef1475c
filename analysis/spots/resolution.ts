/**
 * DIALS' per-image resolution estimate (the "d_min" of dials.spot_counts_per_image, from
 * per_image_analysis.estimate_resolution_limit), written from its description:
 *
 *  1. every spot is a point (d*², ln(I/σ)) with d* = 1/d;
 *  2. the spots are cut into 5–20 resolution shells of ~20 spots each (equal population);
 *  3. in each shell, Wilson outliers (normalised amplitude √(I/⟨I⟩) ≥ √(−ln 0.01), rejected
 *     iteratively) are set aside, and of the rest the 10th and 90th percentile of ln(I/σ) are
 *     taken: the 90th-percentile value paired with the d*² of the 10th-percentile spot and vice
 *     versa, as DIALS pairs them;
 *  4. a straight line is fitted (least squares) through the "upper" points;
 *  5. the estimate is the highest-resolution non-outlier spot below that line.
 *
 * Fewer than 11 spots give no estimate, as in DIALS. Hand-written: a few sorts and sums.
 */

/** What the estimate needs of a spot: its d-spacing (Å), summed intensity and that sum's variance. */
export interface ResolutionPoint {
  readonly d: number;
  readonly intensity: number;
  readonly variance: number;
}

/** sqrt(−ln p) for p = 0.01: DIALS' cut-off on normalised amplitudes. */
const E_CUTOFF = Math.sqrt(-Math.log(0.01));

/** Wilson outliers among `intensities`, rejected iteratively (each round against the mean of the rest). */
function wilsonOutliers(intensities: readonly number[]): boolean[] {
  const mean = intensities.reduce((a, b) => a + b, 0) / intensities.length;
  const outliers = intensities.map((i) => Math.sqrt(i) / Math.sqrt(mean) >= E_CUTOFF);
  if (!outliers.includes(true)) return outliers;
  const inliers = outliers.flatMap((o, k) => (o ? [] : [k]));
  const again = wilsonOutliers(inliers.map((k) => intensities[k]!));
  inliers.forEach((k, j) => (outliers[k] = again[j]!));
  return outliers;
}

/** Least-squares line y = m·x + c. */
function fitLine(x: readonly number[], y: readonly number[]): { m: number; c: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const m = sxx > 0 ? sxy / sxx : 0;
  return { m, c: my - m * mx };
}

/** Resolution shells of about 20 spots each (5 to 20 of them), as [dMin, dMax) with dMax of the first the lowest-resolution d. */
function equalPopulationShells(dStarSq: readonly number[]): { dMin: number; dMax: number }[] {
  const slots = Math.max(Math.min(Math.floor(dStarSq.length / 20), 20), 5);
  const perSlot = dStarSq.length / slots;
  const d = [...dStarSq].sort((a, b) => a - b).map((s) => 1 / Math.sqrt(s));
  const shells: { dMin: number; dMax: number }[] = [];
  let dMax = d[0]!;
  for (let i = 0; i < slots; i++) {
    const dMin = d[Math.floor((i + 1) * perSlot + 0.5) - 1]!;
    shells.push({ dMin, dMax });
    dMax = dMin;
  }
  return shells;
}

/** DIALS' per-image d_min estimate (Å) from the spots of one image, or undefined (≤ 10 spots, or no line). */
export function estimateResolution(points: readonly ResolutionPoint[]): number | undefined {
  const spots = points.filter((p) => p.variance > 0 && p.intensity > 0 && Number.isFinite(p.d) && p.d > 0);
  if (spots.length <= 10) return undefined;
  const dStarSq = spots.map((p) => 1 / (p.d * p.d));
  const logIOverSigma = spots.map((p) => Math.log(p.intensity / Math.sqrt(p.variance)));
  const outlier = new Array<boolean>(spots.length).fill(false);
  const upperX: number[] = [];
  const upperY: number[] = [];
  const shells = equalPopulationShells(dStarSq);
  // Each spot's shell (at most one: the shells do not overlap), members kept in spot order.
  const shellMembers = shells.map((): number[] => []);
  spots.forEach((p, k) => shellMembers[shells.findIndex((shell) => p.d < shell.dMax && p.d >= shell.dMin)]?.push(k));
  for (const members of shellMembers) {
    if (members.length === 0) continue;
    const rejected = wilsonOutliers(members.map((k) => spots[k]!.intensity));
    members.forEach((k, j) => (outlier[k] = rejected[j]!));
    const kept = members.filter((_, j) => !rejected[j]);
    // A stable sort, as DIALS' flex.sort_permutation: equal ln(I/σ) keep their order.
    const order = [...kept].sort((a, b) => logIOverSigma[a]! - logIOverSigma[b]!);
    const lower = order[Math.floor(0.1 * order.length)]!;
    const upper = order[Math.floor(0.9 * order.length)]!;
    upperY.push(logIOverSigma[upper]!);
    upperX.push(dStarSq[lower]!);
  }
  const { m, c } = fitLine(upperX, upperY);
  let best = -Infinity;
  for (let k = 0; k < spots.length; k++) {
    if (!outlier[k] && logIOverSigma[k]! < m * dStarSq[k]! + c && dStarSq[k]! > best) best = dStarSq[k]!;
  }
  return best > 0 ? 1 / Math.sqrt(best) : undefined;
}
