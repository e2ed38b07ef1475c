import assert from "node:assert/strict";
import { test } from "node:test";
import { AzimuthalIntegrator, findSpots } from "../../analysis/index.ts";
import { algorithm } from "../../agent/algorithms.ts";
import { registerAnalysisAlgorithms } from "../../agent/analysis-algorithms.ts";

/** The agent runs named algorithms with parameters parsed by their contract (contracts/algorithms.ts). */
registerAnalysisAlgorithms();
const ctx = { signal: new AbortController().signal, dataRoot: "/nonexistent" };

test("a bad parameter fails the task with an error naming it", async () => {
  await assert.rejects(async () => algorithm("sleep")(1, { ms: "soon" }, ctx), {
    name: "InvalidParamsError",
    message: "sleep: parameter ms: Invalid input: expected number, received string",
  });
  assert.throws(() => algorithm("frame-sum")({ index: 0, data: [1], shape: [1, 1] }, { scale: 2 }, ctx), {
    name: "InvalidParamsError",
    message: /^frame-sum: parameter scale: unknown parameter of frame-sum/,
  });
  assert.equal(await algorithm("sleep")("item", { ms: 0 }, ctx), "item");
});

// A small detector with every per-pixel parameter given as JSON (as runs carry them).
const shape: [number, number] = [24, 32];
const pixels = shape[0] * shape[1];
const frame = { index: 0, data: Uint32Array.from({ length: pixels }, (_, i) => (i * 7919) % 251), shape };
const geometry = { dist: 0.1, poni1: 0.0009, poni2: 0.0012, rot1: 0.01, rot2: 0, rot3: 0, pixel1: 75e-6, pixel2: 75e-6, shape, wavelength: 1e-10 };
const dark = Array.from({ length: pixels }, (_, i) => (i % 5) * 0.25);
const flat = Array.from({ length: pixels }, (_, i) => 0.9 + (i % 3) * 0.05);
const mask = Array.from({ length: pixels }, (_, i) => (i % 97 === 0 ? 1 : 0));

test("azint through the agent gives the library's numbers exactly", () => {
  const params = { geometry, npt: 40, unit: "2th_deg", dark, flat, mask, polarizationFactor: 0.99 };
  const got = algorithm("azint")(frame, params, ctx) as Float64Array;
  const want = new AzimuthalIntegrator(geometry)
    .prepare1d({ npt: 40, unit: "2th_deg", dark: Float64Array.from(dark), flat: Float64Array.from(flat), mask, polarizationFactor: 0.99 })
    .integrate(frame.data).intensity;
  assert.deepEqual(Array.from(got), Array.from(want));
});

test("spotfind and spots-per-frame through the agent give the library's numbers exactly", () => {
  const gain = Array.from({ length: pixels }, () => 1.5);
  const params = { geometry, minSpotSize: 1, gain, sigmaStrong: 2, sigmaBackground: 3 };
  const m = findSpots(frame.data, shape, { minSpotSize: 1, gain: Float64Array.from(gain), sigmaStrong: 2, sigmaBackground: 3 }, geometry).metrics;
  assert.deepEqual(algorithm("spotfind")(frame, params, ctx), {
    spotCount: m.spotCount,
    totalIntensity: m.totalIntensity,
    estimatedDMin: m.estimatedDMin ?? null,
  });
  assert.equal(algorithm("spots-per-frame")(frame, params, ctx), m.spotCount);
});
