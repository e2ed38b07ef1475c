import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AzimuthalIntegrator, type Geometry, parsePoni } from "../../analysis/azint/index.ts";
import { ParameterError } from "../../analysis/errors.ts";

const good: Geometry = { dist: 0.2, poni1: 0.01, poni2: 0.02, rot1: 0, rot2: 0, rot3: 0, wavelength: 1e-10, pixel1: 1e-4, pixel2: 1e-4, shape: [10, 20] };

function throwsNaming(fn: () => unknown, parameter: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ParameterError && e.context.parameter === parameter && e.message.startsWith(parameter));
}

describe("PONI files", () => {
  it("reads version 2 with a Detector_config, as pyFAI 0.21 writes it", () => {
    const g = parsePoni(
      [
        "# Nota: C-Order, 1 refers to the Y axis, 2 to the X axis",
        "poni_version: 2",
        "Detector: Detector",
        'Detector_config: {"pixel1": 0.0001, "pixel2": 7.5e-05, "max_shape": [100, 200]}',
        "Distance: 0.1",
        "Poni1: 0.01",
        "Poni2: 0.02",
        "Rot1: 0.1",
        "Rot2: -0.02",
        "Rot3: 0.3",
        "Wavelength: 1e-10",
      ].join("\n"),
    );
    assert.deepEqual(g, {
      dist: 0.1,
      poni1: 0.01,
      poni2: 0.02,
      rot1: 0.1,
      rot2: -0.02,
      rot3: 0.3,
      wavelength: 1e-10,
      pixel1: 1e-4,
      pixel2: 7.5e-5,
      shape: [100, 200],
    });
  });

  it("takes shape and pixel size of a named detector, and version 1 pixel sizes", () => {
    const named = parsePoni(
      "poni_version: 2\nDetector: Eiger2_4M\nDetector_config: {}\nDistance: 0.1\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10\n",
    );
    assert.deepEqual([named.shape, named.pixel1], [[2162, 2068], 75e-6]);
    const v1 = parsePoni("PixelSize1: 0.000172\nPixelSize2: 0.000172\nDistance: 0.3\nPoni1: 0.1\nPoni2: 0.1\nRot1: 0\nRot2: 0\nRot3: 0\n", [1043, 981]);
    assert.deepEqual([v1.shape, v1.pixel2, v1.wavelength], [[1043, 981], 0.000172, undefined]);
  });

  it("names what is missing or malformed", () => {
    throwsNaming(() => parsePoni("PixelSize1: 1e-4\nPixelSize2: 1e-4\nPoni1: 0\nPoni2: 0\n", [10, 10]), "dist");
    throwsNaming(() => parsePoni("PixelSize1: 1e-4\nPixelSize2: 1e-4\nDistance: abc\nPoni1: 0\nPoni2: 0\n", [10, 10]), "dist");
    throwsNaming(() => parsePoni("PixelSize1: 1e-4\nPixelSize2: 1e-4\nDistance: 0.1\nPoni1: 0\nPoni2: 0\n"), "shape");
    throwsNaming(() => parsePoni("Detector: Detector\nDetector_config: {oops\nDistance: 0.1\n"), "Detector_config");
  });
});

describe("geometry and frames that make no sense", () => {
  it("rejects zero, negative or NaN distance, non-positive wavelength, bad pixel size and shape", () => {
    throwsNaming(() => new AzimuthalIntegrator({ ...good, dist: 0 }), "dist");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, dist: NaN }), "dist");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, poni1: NaN }), "poni1");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, rot2: Infinity }), "rot2");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, wavelength: 0 }), "wavelength");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, wavelength: -1e-10 }), "wavelength");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, pixel2: 0 }), "pixel2");
    throwsNaming(() => new AzimuthalIntegrator({ ...good, shape: [10, 0] }), "shape");
  });

  it("asks for a wavelength only when q is wanted", () => {
    const { wavelength: _, ...noWavelength } = good;
    const ai = new AzimuthalIntegrator(noWavelength);
    const frame = new Float32Array(200).fill(1);
    assert.equal(ai.integrate1d(frame, { npt: 5, unit: "2th_deg" }).intensity.length, 5);
    throwsNaming(() => ai.integrate1d(frame, { npt: 5, unit: "q_nm^-1" }), "wavelength");
  });

  it("names a frame, mask, dark or flat whose shape is not the detector's, and bad options", () => {
    const ai = new AzimuthalIntegrator(good);
    const frame = new Uint32Array(200).fill(3);
    throwsNaming(() => ai.integrate1d(new Uint32Array(199), { npt: 5 }), "frame");
    throwsNaming(() => ai.prepare1d({ npt: 5, mask: new Uint8Array(20) }), "mask");
    throwsNaming(() => ai.prepare1d({ npt: 5, dark: new Float32Array(201) }), "dark");
    throwsNaming(() => ai.prepare2d({ nptRad: 5, flat: new Float32Array(10) }), "flat");
    throwsNaming(() => ai.prepare1d({ npt: 0 }), "npt");
    throwsNaming(() => ai.prepare1d({ npt: 5, unit: "r_mm" as never }), "unit");
    throwsNaming(() => ai.prepare1d({ npt: 5, method: "lut" as never }), "method");
    throwsNaming(() => ai.prepare1d({ npt: 5, method: "histogram", split: "bbox" }), "split");
    throwsNaming(() => ai.prepare1d({ npt: 5, polarizationFactor: 2 }), "polarizationFactor");
    throwsNaming(() => ai.prepare1d({ npt: 5, azimuthRange: [10, -10] }), "azimuthRange");
    // Across both discontinuities (±180° and 0°/360°), or more than a turn: no χ convention holds it.
    throwsNaming(() => ai.prepare1d({ npt: 5, azimuthRange: [-10, 200] }), "azimuthRange");
    throwsNaming(() => ai.prepare2d({ nptRad: 5, azimuthRange: [90, 370] }), "azimuthRange");
    throwsNaming(() => ai.prepare1d({ npt: 5, mask: new Uint8Array(200).fill(1) }), "mask");
    const prepared = ai.prepare1d({ npt: 5, unit: "2th_deg" });
    throwsNaming(() => prepared.integrate(new Uint32Array(10)), "frame");
    assert.equal(
      prepared.integrate(frame).count.reduce((a, b) => a + b),
      200,
    );
  });
});
