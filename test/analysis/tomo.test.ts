import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { openH5, ParameterError, ShapeMismatchError } from "../../analysis/index.ts";
import { fbp, type Sinogram } from "../../analysis/tomo/fbp.ts";
import { FBP_FILTERS } from "../../analysis/tomo/filters.ts";
import { readTomoScan, reconstructSlice, scanSinogram } from "../../analysis/tomo/scan.ts";
import { rotationCenter } from "../../analysis/tomo/center.ts";
import { makeFixture, readTruth, tempDataRoot, type TomoTruth } from "./fixtures.ts";

let root: string;
let cleanup: () => Promise<void>;
let truth: TomoTruth;

async function float64(file: string): Promise<Float64Array> {
  const b = await readFile(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function rmse(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
}

function maxAbs(a: Float64Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

before(async () => {
  ({ root, cleanup } = await tempDataRoot());
  await makeFixture(root, "tomo", "scan.h5", "--size", "128", "--angles", "180", "--rows", "2", "--center-offset", "3");
  truth = await readTruth<TomoTruth>(root, "scan.h5");
  await writeFile(
    path.join(root, "params.json"),
    JSON.stringify({ file: path.join(root, "scan.h5"), row: 1, roll: truth.center_offset, filters: FBP_FILTERS, out: path.join(root, "reference") }),
  );
  await makeFixture(root, "tomo-reference", path.join(root, "params.json"));
});

after(() => cleanup());

test("dark/flat normalization and −log give numpy's sinogram", async () => {
  using f = await openH5("scan.h5", { root });
  const scan = readTomoScan(f);
  assert.equal(scan.projections.length, truth.angles);
  const ours = scanSinogram(scan, 1);
  assert.deepEqual(ours.shape, [truth.size, truth.angles]);
  const reference = await float64(path.join(root, "reference", "sinogram.bin"));
  // Same float64 arithmetic in a different order (mean of darks/flats): rounding only.
  assert.ok(rmse(ours.data, reference) < 1e-12 * maxAbs(reference), `sinogram RMSE ${rmse(ours.data, reference)}`);
});

test("the rotation centre is found within 0.25 px of the true axis", async () => {
  using f = await openH5("scan.h5", { root });
  const scan = readTomoScan(f);
  // 0.25 px: the fixture's axis is exact (an integer roll of skimage's radon); what remains is
  // radon's own discretization and the rounding of counts to uint16.
  for (const row of [0, 1]) {
    const center = rotationCenter(scanSinogram(scan, row), scan.angles);
    assert.ok(Math.abs(center - truth.rotation_center) < 0.25, `row ${row}: centre ${center}, truth ${truth.rotation_center}`);
  }
});

// Every filter: our slice against skimage.transform.iradon of the same sinogram. Both run the same
// algorithm in float64 (skimage's filter construction, √2 widening and padding, linear
// interpolation, circle and scale), so they differ only by FFT rounding: measured RMSE ~1e-14 of
// the slice's peak. The tolerance, 1e-9 of the peak, leaves room for rounding on other CPUs and is
// far below any convention error (a half-pixel centre shift gives ~1e-2, checked below).
test("FBP slices match skimage.transform.iradon for every filter (RMSE < 1e-9 × peak)", async () => {
  using f = await openH5("scan.h5", { root });
  const scan = readTomoScan(f);
  const sinogram = scanSinogram(scan, 1);
  for (const filter of FBP_FILTERS) {
    const reference = await float64(path.join(root, "reference", `${filter}.bin`));
    const ours = fbp(sinogram, { angles: scan.angles, filter, center: truth.rotation_center });
    assert.deepEqual(ours.shape, [truth.size, truth.size]);
    const error = rmse(ours.data, reference);
    assert.ok(error < 1e-9 * maxAbs(reference), `${filter}: RMSE ${error} vs peak ${maxAbs(reference)}`);
  }
  const shifted = fbp(sinogram, { angles: scan.angles, center: truth.rotation_center + 0.5 });
  const ramp = await float64(path.join(root, "reference", "ramp.bin"));
  assert.ok(rmse(shifted.data, ramp) > 1e-3 * maxAbs(ramp), "a half-pixel centre error is visible at this tolerance");
});

test("reconstructSlice finds the centre and reconstructs the phantom", async () => {
  using f = await openH5("scan.h5", { root });
  const { slice, center } = reconstructSlice(readTomoScan(f), 0, { filter: "hann" });
  assert.ok(Math.abs(center - truth.rotation_center) < 0.25);
  // Inside the phantom (a central block) the slice holds its attenuation; outside it, near the
  // rim of the middle rows, nearly nothing.
  const n = truth.size;
  const mean = (rows: [number, number], cols: [number, number]) => {
    let s = 0;
    for (let r = rows[0]; r < rows[1]; r++) for (let c = cols[0]; c < cols[1]; c++) s += slice.data[r * n + c]!;
    return s / ((rows[1] - rows[0]) * (cols[1] - cols[0]));
  };
  const inside = mean([n / 2 - 10, n / 2 + 10], [n / 2 - 10, n / 2 + 10]);
  const outside = mean([n / 2 - 10, n / 2 + 10], [2, 5]);
  assert.ok(inside > 10 * Math.abs(outside), `inside ${inside}, outside ${outside}`);
});

test("bad input: shapes and parameters are named", () => {
  const sinogram: Sinogram = { data: new Float64Array(8 * 4), shape: [8, 4] };
  assert.throws(() => fbp(sinogram, { angles: [0, 45, 90] }), ShapeMismatchError);
  assert.throws(
    () => fbp(sinogram, { angles: [0, 45, 90, 135], center: 20 }),
    (e: unknown) => e instanceof ParameterError && e.context.parameter === "center",
  );
  assert.throws(() => fbp(sinogram, { angles: [0, 45, 90, 135], filter: "box" as never }), /unknown filter "box"/);
  assert.throws(() => rotationCenter(sinogram, [0, 45, 90, 135]), /cannot find the rotation centre/);
});
