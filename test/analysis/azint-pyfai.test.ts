import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { AzimuthalIntegrator, type IntegrationMethod, pixelAngles, solidAngle, polarization, type RadialUnit } from "../../analysis/azint/index.ts";
import { type PyFaiResult, runPyFai, TILTED_GEOMETRY as geometry } from "./pyfai.ts";
import { mulberry32, ringFrame } from "./synthetic.ts";

/**
 * Lightbook's azimuthal integration against Debian's pyFAI 0.21 on the same frame, geometry (with
 * all three tilts), mask, dark, flat, solid-angle and polarization corrections, unit and bin count.
 *
 * Tolerance for integrated intensities and their Poisson σ: 0.1 % relative (issue #4). Both codes
 * assign whole pixels to bins with the same rule, so the sums differ only by floating-point
 * rounding (pyFAI computes pixel positions from float32 indices and keeps corrections in float32)
 * unless a pixel centre sits within rounding of a bin edge; the bin counts are compared to find
 * such pixels, and at most one pixel in a thousand may fall on the other side of an edge.
 */
const [rows, cols] = geometry.shape;
const n = rows * cols;

const frame = ringFrame(rows, cols, 7, [110, 160], [30, 55, 90, 130]);
// Two dead pixels: pyFAI drops NaN values frame by frame (it lets ±Infinity through, and so do we).
frame[1000] = NaN;
frame[20_000] = NaN;
const mask = new Uint8Array(n);
for (let r = 100; r < 120; r++) for (let c = 150; c < 175; c++) mask[r * cols + c] = 1; // beam stop
for (let c = 0; c < cols; c++) mask[200 * cols + c] = 1; // a module gap
mask[0] = 1; // a hot corner pixel, at the extreme of the radial range
const random = mulberry32(11);
const dark = Float32Array.from({ length: n }, () => 2 + random());
const flat = Float32Array.from({ length: n }, () => 0.9 + 0.2 * random());
const corrections = { mask, dark, flat, correctSolidAngle: true, polarizationFactor: 0.95, errorModel: "poisson" } as const;

function assertClose(actual: ArrayLike<number>, expected: (number | null)[], rel: number, what: string, skip?: (i: number) => boolean): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (skip?.(i)) continue;
    const e = expected[i] ?? NaN;
    const a = actual[i]!;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);
    assert.ok(err <= rel, `${what}[${i}]: ${a} vs pyFAI ${e} (relative difference ${err.toExponential(2)} > ${rel})`);
  }
}

function sum(a: ArrayLike<number | null>): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] ?? 0;
  return total;
}

/** Bin centres agree to 1e-4 of a bin width (pyFAI's float32 pixel coordinates move the range ends by ~1e-9 rad). */
function assertCentres(actual: Float64Array, expected: (number | null)[], what: string): void {
  const width = actual[1]! - actual[0]!;
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - (expected[i] ?? NaN)) <= 1e-4 * width, `${what}[${i}]: ${a} vs pyFAI ${expected[i]}`));
}

/**
 * At most one pixel in a thousand binned differently (a pixel centre within float32 rounding of a
 * bin edge); returns a test for the bins whose counts differ, whose intensities are not compared
 * since one pixel more or less on a ring's flank moves a small bin's mean by more than 0.1 %.
 */
function countsAgree(actual: Float64Array, expected: (number | null)[], what: string): (i: number) => boolean {
  let moved = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    moved += Math.abs(actual[i]! - (expected[i] ?? 0));
    total += expected[i] ?? 0;
  }
  assert.ok(moved <= total / 1000, `${what}: ${moved} pixel(s) binned differently out of ${total}`);
  return (i) => actual[i] !== (expected[i] ?? 0);
}

describe("azimuthal integration against pyFAI 0.21", () => {
  const ai = new AzimuthalIntegrator(geometry);
  const cases: { method: IntegrationMethod; unit: RadialUnit }[] = [
    { method: "csr", unit: "2th_deg" },
    { method: "csr", unit: "q_nm^-1" },
    { method: "histogram", unit: "2th_deg" },
    { method: "histogram", unit: "q_nm^-1" },
  ];
  const bboxUnits = ["2th_deg", "q_nm^-1"] as const;
  const wrapMethods = ["csr", "histogram"] as const;
  const samples = [
    [0, 0],
    [0, cols - 1],
    [rows - 1, 0],
    [rows - 1, cols - 1],
    [37, 211],
    [119, 160],
  ];
  let reference: PyFaiResult[] = [];
  /** Without the beam stop, so pixels at the beam centre (whose extent reaches below 2θ = 0) are split too. */
  let unmasked: PyFaiResult[] = [];
  const unmaskedCorrections = { ...corrections, mask: undefined };
  const fineBins = 1500;

  before(async () => {
    reference = await runPyFai(geometry, { data: frame, mask, dark, flat }, [
      { kind: "pixels", pixels: samples, polarizationFactor: 0.95 },
      ...cases.map((c) => ({ kind: "1d" as const, npt: 180, ...c, ...corrections, mask: undefined, dark: undefined, flat: undefined })),
      ...cases.map((c) => ({
        kind: "1d" as const,
        npt: 60,
        ...c,
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
        radialRange: c.unit === "2th_deg" ? [3, 12] : [3, 10],
        azimuthRange: [-120, 45],
      })),
      ...(["csr", "histogram"] as const).map((method) => ({
        kind: "2d" as const,
        nptRad: 50,
        nptAzim: 36,
        method,
        unit: "2th_deg",
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
      })),
      ...bboxUnits.map((unit) => ({
        kind: "1d" as const,
        npt: 180,
        method: "csr",
        split: "bbox",
        unit,
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
      })),
      ...wrapMethods.map((method) => ({
        kind: "1d" as const,
        npt: 60,
        method,
        unit: "2th_deg",
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
        azimuthRange: [150, 230],
        chiDiscAtZero: true,
      })),
      ...wrapMethods.map((method) => ({
        kind: "2d" as const,
        nptRad: 40,
        nptAzim: 16,
        method,
        unit: "2th_deg",
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
        azimuthRange: [90, 270],
        chiDiscAtZero: true,
      })),
      {
        kind: "1d" as const,
        npt: 60,
        method: "csr",
        split: "bbox",
        unit: "2th_deg",
        ...corrections,
        mask: undefined,
        dark: undefined,
        flat: undefined,
        radialRange: [3, 12],
      },
    ]);
    unmasked = await runPyFai(
      geometry,
      { data: frame, dark, flat },
      bboxUnits.map((unit) => ({
        kind: "1d" as const,
        npt: fineBins,
        method: "csr",
        split: "bbox",
        unit,
        ...unmaskedCorrections,
        dark: undefined,
        flat: undefined,
      })),
    );
  });

  it("gives pyFAI's 2θ, χ, q, solid angle and polarization at pixel centres, tilts included", () => {
    const angles = pixelAngles(geometry);
    const sa = solidAngle(angles);
    const pol = polarization(angles, 0.95);
    const ref = reference[0]!;
    const at = (a: ArrayLike<number>) => samples.map(([r, c]) => a[r! * cols + c!]!);
    // pyFAI computes positions from float32 pixel coordinates: agreement to ~1e-7, not 1e-15.
    assertClose(at(angles.tth), ref.tth!, 1e-6, "2θ");
    assertClose(at(angles.chi), ref.chi!, 1e-6, "χ");
    assertClose(at(ai.radialArray("q_nm^-1")), ref.q!, 1e-6, "q");
    assertClose(at(sa), ref.solidAngle!, 1e-6, "solid angle");
    assertClose(at(pol), ref.polarization!, 1e-6, "polarization");
  });

  for (const [k, c] of cases.entries()) {
    it(`1D ${c.method} in ${c.unit}: intensities and σ within 0.1 %, default range`, () => {
      const ref = reference[1 + k]!;
      const r = ai.integrate1d(frame, { npt: 180, ...c, ...corrections });
      assertCentres(r.radial, ref.radial!, "radial");
      const moved = countsAgree(r.count, ref.count!, "count");
      const skip = (i: number) => (ref.count![i] ?? 0) === 0 || moved(i);
      assertClose(r.intensity, ref.intensity!, 1e-3, "intensity", skip);
      assertClose(r.sigma!, ref.sigma!, 1e-3, "sigma", skip);
    });

    it(`1D ${c.method} in ${c.unit}: radial and azimuth ranges`, () => {
      const ref = reference[1 + cases.length + k]!;
      const radialRange = c.unit === "2th_deg" ? ([3, 12] as const) : ([3, 10] as const);
      const r = ai.integrate1d(frame, { npt: 60, ...c, ...corrections, radialRange, azimuthRange: [-120, 45] });
      assertCentres(r.radial, ref.radial!, "radial");
      // pyFAI 0.21 truncates (x − low)/width toward zero, so pixels up to one bin below `low` land in
      // its first bin; Lightbook leaves them out, as the range says. Bin 0 is compared apart.
      const moved = countsAgree(r.count.subarray(1), ref.count!.slice(1), "count");
      const skip = (i: number) => i === 0 || moved(i - 1);
      assertClose(r.intensity, ref.intensity!, 1e-3, "intensity", skip);
      assert.ok(ref.count![0]! > r.count[0]!, "pyFAI's first bin holds the pixels just below the range");
    });
  }

  for (const [k, method] of (["csr", "histogram"] as const).entries()) {
    it(`2D cake (${method}): same bins as pyFAI, intensities within 0.1 % where a bin holds ≥ 5 pixels`, () => {
      const ref = reference[1 + 2 * cases.length + k]!;
      const r = ai.integrate2d(frame, { nptRad: 50, nptAzim: 36, method, unit: "2th_deg", ...corrections });
      assertCentres(r.radial, ref.radial!, "radial");
      assertCentres(r.azimuthal, ref.azimuthal!, "azimuthal");
      const moved = countsAgree(r.count, ref.count!, "count");
      // A cake bin holds few pixels: compare those with at least 5, where float32 rounding of the
      // corrections (~1e-7 per pixel) stays far below the tolerance.
      const skip = (i: number) => (ref.count![i] ?? 0) < 5 || moved(i);
      assertClose(r.intensity, ref.intensity!, 1e-3, "intensity", skip);
    });
  }

  /**
   * "bbox" splitting: tolerance 1e-4 relative (measured: ≤ 1.4e-5 with 180 bins, ≤ 5.4e-5 with 1500),
   * the float32 pixel positions and extents pyFAI splits with.
   */
  function assertBbox(
    r: { radial: Float64Array; count: Float64Array; intensity: Float64Array; sigma?: Float64Array },
    ref: PyFaiResult,
    skip: (i: number) => boolean = () => false,
  ): void {
    // pyFAI keeps the range's ends in float32 (~6e-8 relative), more than 1e-4 of a bin at 1500 bins.
    if (r.radial.length > 1000) assertClose(r.radial, ref.radial!, 2e-7, "radial");
    else assertCentres(r.radial, ref.radial!, "radial");
    // Split pixels give every bin a weighted sum, so there is no edge to fall on: all bins compared.
    const empty = (i: number) => (ref.count![i] ?? 0) === 0 || skip(i);
    assertClose(r.count, ref.count!, 1e-4, "count", empty);
    assertClose(r.intensity, ref.intensity!, 1e-4, "intensity", empty);
    assertClose(r.sigma!, ref.sigma!, 1e-4, "sigma", empty);
  }

  for (const [k, unit] of bboxUnits.entries()) {
    it(`1D csr with "bbox" pixel splitting in ${unit}: intensities, σ and fractional counts within 0.01 %`, () => {
      assertBbox(ai.integrate1d(frame, { npt: 180, method: "csr", split: "bbox", unit, ...corrections }), reference[1 + 2 * cases.length + 2 + k]!);
    });

    it(`1D csr with "bbox" splitting in ${unit}, ${fineBins} bins, no beam stop: the pixels at the beam centre as pyFAI`, () => {
      // These pixels reach below 0; pyFAI keeps their whole extent for the fractions and puts the part
      // below 0 into bin 0 (clipping their extent at 0 instead moved 30 % of bin 0's count).
      assertBbox(ai.integrate1d(frame, { npt: fineBins, method: "csr", split: "bbox", unit, ...unmaskedCorrections }), unmasked[k]!);
    });
  }

  it(`1D csr with "bbox" splitting over a radial range: the pixels across its end go to the last bin, as pyFAI`, () => {
    const r = ai.integrate1d(frame, { npt: 60, method: "csr", split: "bbox", unit: "2th_deg", ...corrections, radialRange: [3, 12] });
    // Bin 0: pyFAI 0.21 truncates toward zero, so pixels wholly within one bin below the range land
    // there too; Lightbook leaves them out, as the range says (and as without splitting).
    assertBbox(r, reference[reference.length - 1]!, (i) => i === 0);
  });

  // Azimuth ranges across ±180° take χ in [0°, 360°), pyFAI's setChiDiscAtZero(); the frame's rings
  // go all the way round the beam centre, which is on the detector.
  const wrapBase = 1 + 2 * cases.length + 2 + bboxUnits.length;
  for (const [k, method] of wrapMethods.entries()) {
    it(`1D ${method}: an azimuth range across 180° (150° to 230°) as pyFAI with χ from 0° to 360°`, () => {
      const ref = reference[wrapBase + k]!;
      const r = ai.integrate1d(frame, { npt: 60, method, unit: "2th_deg", ...corrections, azimuthRange: [150, 230] });
      assertCentres(r.radial, ref.radial!, "radial");
      const moved = countsAgree(r.count, ref.count!, "count");
      const skip = (i: number) => (ref.count![i] ?? 0) === 0 || moved(i);
      assertClose(r.intensity, ref.intensity!, 1e-3, "intensity", skip);
      assertClose(r.sigma!, ref.sigma!, 1e-3, "sigma", skip);
      const whole = ai.integrate1d(frame, { npt: 60, method, unit: "2th_deg", ...corrections });
      assert.ok(sum(r.count) < 0.4 * sum(whole.count), "80° of 360° keeps well under half the pixels");
    });

    it(`2D cake (${method}) over 90° to 270°: bins and intensities as pyFAI with χ from 0° to 360°`, () => {
      const ref = reference[wrapBase + wrapMethods.length + k]!;
      const r = ai.integrate2d(frame, { nptRad: 40, nptAzim: 16, method, unit: "2th_deg", ...corrections, azimuthRange: [90, 270] });
      assertCentres(r.radial, ref.radial!, "radial");
      assertCentres(r.azimuthal, ref.azimuthal!, "azimuthal");
      assert.ok(r.azimuthal[0]! > 90 && r.azimuthal.at(-1)! < 270, "azimuthal bin centres run from 90° to 270° through 180°");
      // As for radial ranges, pyFAI 0.21's CSR puts pixels up to one bin below the range's start in
      // its first bin (its histogram does not); the first azimuthal row is compared apart.
      const first = method === "csr" ? r.radial.length : 0;
      const moved = countsAgree(r.count.subarray(first), ref.count!.slice(first), "count");
      const skip = (i: number) => i < first || (ref.count![i] ?? 0) < 5 || moved(i - first);
      assertClose(r.intensity, ref.intensity!, 1e-3, "intensity", skip);
      if (method === "csr") assert.ok(sum(ref.count!.slice(0, first)) > sum(r.count.subarray(0, first)), "pyFAI's first azimuthal row holds pixels below 90°");
    });
  }
});
