import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { findSpots, type FindSpotsOptions, type Geometry } from "../../analysis/index.ts";
import { makeFixture, PYTHON, tempDataRoot } from "./fixtures.ts";

/**
 * Lightbook's spot finding against Debian's DIALS 3.12 (dials.import + dials.find_spots, dispersion
 * threshold, 2D, one process) on the same SMV still images (test/fixtures/make_fixtures.py stills),
 * with the same parameters. Both label 4-connected strong pixels and compute centroids, sums and
 * bounding boxes from the same pixels, so the tolerances are those of floating-point sums:
 * the same number of spots on every image, each DIALS spot matched by one of ours with centroid
 * within 1e-6 px, the same summed intensity and bounding box, and DIALS' per-image d_min estimate
 * within 1e-9 relative.
 */
const DRIVER = path.resolve(import.meta.dirname, "../fixtures/dials_driver.py");

interface DialsSpot {
  x: number;
  y: number;
  intensity: number;
  variance: number;
  bbox: [number, number, number, number];
}
interface DialsImage {
  spots: DialsSpot[];
  estimated_d_min: number;
}
interface StillsTruth {
  shape: [number, number];
  pixel_size: number;
  geometry: Omit<Geometry, "pixel1" | "pixel2" | "shape">;
  header_bytes: number;
  images: string[];
}

/** Runs DIALS in a folder of its own holding the images, with phil parameters. */
async function runDials(root: string, name: string, truth: StillsTruth, phil: Record<string, string | number>): Promise<DialsImage[]> {
  const dir = path.join(root, name);
  await mkdir(dir);
  await Promise.all(truth.images.map(async (image) => writeFile(path.join(dir, image), await readFile(path.join(root, image)))));
  await writeFile(path.join(dir, "params.json"), JSON.stringify({ images: truth.images, phil }));
  const { stdout } = await promisify(execFile)(PYTHON, [DRIVER, dir, path.join(dir, "params.json")], {
    maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  return (JSON.parse(stdout) as { images: DialsImage[] }).images;
}

const PARAMETER_SETS: { name: string; phil: Record<string, string | number>; options: FindSpotsOptions }[] = [
  { name: "defaults", phil: { "spotfinder.filter.min_spot_size": 3, "spotfinder.threshold.dispersion.gain": 1 }, options: { gain: 1, minSpotSize: 3 } },
  {
    name: "tuned",
    phil: {
      "spotfinder.threshold.dispersion.gain": 1.4,
      "spotfinder.threshold.dispersion.sigma_background": 4.5,
      "spotfinder.threshold.dispersion.sigma_strong": 2.5,
      // DIALS' help calls kernel_size (nx, ny), but its threshold (local.h) reads the first as the
      // half-height: "4,2" is 2 columns and 4 rows each side, Lightbook's kernelSize [2, 4].
      "spotfinder.threshold.dispersion.kernel_size": "4,2",
      "spotfinder.threshold.dispersion.min_local": 4,
      "spotfinder.threshold.dispersion.global_threshold": 8,
      "spotfinder.filter.min_spot_size": 2,
      "spotfinder.filter.max_spot_size": 60,
      "spotfinder.filter.max_separation": 1.5,
    },
    options: {
      gain: 1.4,
      sigmaBackground: 4.5,
      sigmaStrong: 2.5,
      kernelSize: [2, 4],
      minLocal: 4,
      globalThreshold: 8,
      minSpotSize: 2,
      maxSpotSize: 60,
      maxSeparation: 1.5,
    },
  },
];

describe("spot finding against DIALS 3.12 (dials.find_spots)", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let truth: StillsTruth;
  let images: Uint16Array[];
  const reference = new Map<string, DialsImage[]>();

  before(async () => {
    ({ root, cleanup } = await tempDataRoot());
    await makeFixture(root, "stills", ".", "--frames", "3", "--shape", "512", "512");
    truth = JSON.parse(await readFile(path.join(root, "truth.json"), "utf8")) as StillsTruth;
    const [h, w] = truth.shape;
    images = await Promise.all(
      truth.images.map(async (name) => {
        const bytes = await readFile(path.join(root, name));
        return new Uint16Array(bytes.buffer.slice(bytes.byteOffset + truth.header_bytes, bytes.byteOffset + truth.header_bytes + 2 * h * w));
      }),
    );
    const runs = await Promise.all(PARAMETER_SETS.map((set) => runDials(root, set.name, truth, set.phil)));
    PARAMETER_SETS.forEach((set, i) => reference.set(set.name, runs[i]!));
  });
  after(() => cleanup());

  for (const set of PARAMETER_SETS) {
    it(`finds DIALS' spots, centroids, sums, boxes and d_min on every image (${set.name} parameters)`, () => {
      const geometry: Geometry = { ...truth.geometry, pixel1: truth.pixel_size, pixel2: truth.pixel_size, shape: truth.shape };
      for (const [i, image] of images.entries()) {
        const dials = reference.get(set.name)![i]!;
        const { spots, metrics } = findSpots(image, truth.shape, set.options, geometry);
        assert.ok(dials.spots.length > 50, `image ${i}: DIALS found ${dials.spots.length} spots`);
        assert.equal(spots.length, dials.spots.length, `image ${i}: ${spots.length} spots, DIALS ${dials.spots.length}`);
        const byBox = new Map(spots.map((s) => [s.bbox.join(","), s]));
        for (const d of dials.spots) {
          const ours = byBox.get(d.bbox.join(","));
          assert.ok(ours, `image ${i}: no spot with DIALS' bounding box ${d.bbox.join(",")} at (${d.x.toFixed(2)}, ${d.y.toFixed(2)})`);
          assert.ok(Math.hypot(ours.x - d.x, ours.y - d.y) < 1e-6, `image ${i}: centroid (${ours.x}, ${ours.y}) vs DIALS (${d.x}, ${d.y})`);
          assert.equal(ours.intensity, d.intensity);
        }
        if (dials.estimated_d_min > 0) {
          assert.ok(
            Math.abs(metrics.estimatedDMin! - dials.estimated_d_min) < 1e-9 * dials.estimated_d_min,
            `image ${i}: d_min ${metrics.estimatedDMin} vs DIALS ${dials.estimated_d_min}`,
          );
        } else {
          assert.equal(metrics.estimatedDMin, undefined);
        }
      }
    });
  }
});
