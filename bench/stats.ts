/** The q-quantile (0 ≤ q ≤ 1) of measured values, by the nearest-rank rule the benchmarks report. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
}
