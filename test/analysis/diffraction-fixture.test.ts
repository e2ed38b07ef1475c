import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AzimuthalIntegrator, findSpots, type Geometry, openH5, twoThetaAt } from "../../analysis/index.ts";
import { type DiffractionTruth, diffractionFixture, tempDataRoot } from "./fixtures.ts";

/**
 * The diffraction fixture written by h5py (test/fixtures/make_fixtures.py: powder rings at known 2θ
 * plus Gaussian spots at known centres, bitshuffle-LZ4, Eiger-style pixel mask), read through the
 * library's HDF5 reader and reduced by azimuthal integration and spot finding.
 */
describe("diffraction fixture: rings and spots where the writer put them", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let truth: DiffractionTruth;
  let frames: Uint32Array[];
  let mask: Uint32Array;
  let geometry: Geometry;

  before(async () => {
    ({ root, cleanup } = await tempDataRoot());
    truth = await diffractionFixture(root, "diffraction.h5", 3, [400, 440]);
    const file = await openH5("diffraction.h5", { root });
    try {
      const data = file.dataset(truth.data);
      frames = Array.from({ length: data.length }, (_, i) => data.frame(i).data as Uint32Array);
      mask = file.dataset(truth.mask.dataset).readAll().data as Uint32Array;
    } finally {
      file.close();
    }
    geometry = { ...truth.geometry, pixel1: truth.pixel_size, pixel2: truth.pixel_size, shape: truth.shape };
  });
  after(() => cleanup());

  it("integrates each frame to peaks at the rings' 2θ, within one bin", () => {
    const npt = 400;
    const integrator = new AzimuthalIntegrator(geometry).prepare1d({ npt, unit: "2th_deg", mask, errorModel: "poisson" });
    for (const frame of frames) {
      const r = integrator.integrate(frame);
      const width = r.radial[1]! - r.radial[0]!;
      for (const ring of truth.rings_two_theta_deg) {
        // The largest intensity within ±5 bins of the ring's 2θ sits in the ring's own bin (±1).
        const centre = Math.round((ring - r.radial[0]!) / width);
        let best = centre;
        for (let b = centre - 5; b <= centre + 5; b++) if (r.intensity[b]! > r.intensity[best]!) best = b;
        assert.ok(Math.abs(r.radial[best]! - ring) <= width, `ring at ${ring}°: peak at ${r.radial[best]}°`);
      }
    }
  });

  it("finds every spot within 0.5 px; every other detection lies on a powder ring", () => {
    // The writer's spot centres have pixel centres at integers; the finder's at +½ (DIALS, pyFAI).
    // Ring pixels are strong too (a ring is a local excess like a spot): long arcs (> 100 pixels; a
    // σ = 1 px spot has < 50 strong pixels) are dropped by maxSpotSize, and short fragments within
    // three ring widths of a ring's 2θ are set aside, as DIALS' ice-ring filter would; the rest must
    // be exactly the written spots. Tolerance 0.5 px as in spots.test.ts (σ = 1 px spots, ≥ 800 counts at the peak).
    for (const [k, frame] of frames.entries()) {
      const { spots } = findSpots(frame, truth.shape, { mask, maxSpotSize: 100 }, geometry);
      const onRing = (x: number, y: number) => {
        const tth = (twoThetaAt(geometry, y, x) * 180) / Math.PI;
        return truth.rings_two_theta_deg.some((t) => Math.abs(t - tth) < 3 * truth.ring_width_deg);
      };
      const offRing = spots.filter((s) => !onRing(s.x, s.y));
      const expected = truth.spots[k]!;
      for (const t of expected) {
        const nearest = Math.min(...spots.map((s) => Math.hypot(s.x - (t.x + 0.5), s.y - (t.y + 0.5))));
        assert.ok(nearest < 0.5, `frame ${k}: spot at (${t.x.toFixed(2)}, ${t.y.toFixed(2)}) found ${nearest.toFixed(2)} px away`);
      }
      assert.equal(offRing.length, expected.filter((t) => !onRing(t.x + 0.5, t.y + 0.5)).length, `frame ${k}: ${offRing.length} detections off the rings`);
    }
  });
});
