/**
 * Spot finding per image, Lightbook vs Debian's DIALS 3.12 `dials.find_spots` (dispersion threshold,
 * 2D, nproc=1) on the same 1024² SMV still images (test/fixtures/make_fixtures.py stills), same
 * parameters, checking that both find the same spots. DIALS' time per image is the difference
 * between a run on all images and one on two, over the images between, so its start-up and import
 * are left out; Lightbook's is the median over the images (threshold, labelling, filters, d-spacings
 * and the resolution estimate), one thread. Each is measured --runs times, in turn, and the best
 * kept (per image for Lightbook, per run length for DIALS): the machine is shared, and single DIALS
 * differences varied from 32 to 172 ms per image at loads of 2 to 4 on 2 cores.
 *
 *   node --import tsx bench/spots.ts [--write] [--images N] [--runs N]
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { findSpots, type Geometry } from "../analysis/index.ts";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";

const run = promisify(execFile);
function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const IMAGES = arg("--images", 20);
const RUNS = arg("--runs", 3);
const SIDE = 1024;
const FIXTURES = path.join(import.meta.dirname, "..", "test", "fixtures");

interface Truth {
  shape: [number, number];
  pixel_size: number;
  geometry: Omit<Geometry, "pixel1" | "pixel2" | "shape">;
  header_bytes: number;
  images: string[];
}

/** dials.find_spots on the first `count` images, in a folder of their own (one per pass); its seconds and spots per image. */
async function dials(root: string, truth: Truth, count: number, pass: number): Promise<{ seconds: number; counts: number[] }> {
  const dir = path.join(root, `dials-${count}-${pass}`);
  await mkdir(dir);
  const images = truth.images.slice(0, count);
  await Promise.all(images.map(async (image) => writeFile(path.join(dir, image), await readFile(path.join(root, image)))));
  await writeFile(
    path.join(dir, "params.json"),
    JSON.stringify({ images, phil: { "spotfinder.filter.min_spot_size": 3, "spotfinder.threshold.dispersion.gain": 1 } }),
  );
  const { stdout } = await run("/usr/bin/python3", [path.join(FIXTURES, "dials_driver.py"), dir, path.join(dir, "params.json")], {
    env: pythonBenchEnv(),
    maxBuffer: 1 << 28,
  });
  const out = JSON.parse(stdout) as { find_spots_seconds: number; images: { spots: unknown[] }[] };
  return { seconds: out.find_spots_seconds, counts: out.images.map((i) => i.spots.length) };
}

const loadStart = os.loadavg()[0]!;
const root = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-spots-"));
try {
  await run("/usr/bin/python3", [path.join(FIXTURES, "make_fixtures.py"), "stills", ".", "--frames", String(IMAGES), "--shape", String(SIDE), String(SIDE)], {
    cwd: root,
  });
  const truth = JSON.parse(await readFile(path.join(root, "truth.json"), "utf8")) as Truth;
  const geometry: Geometry = { ...truth.geometry, pixel1: truth.pixel_size, pixel2: truth.pixel_size, shape: truth.shape };
  const images = await Promise.all(
    truth.images.map(async (name) => {
      const bytes = await readFile(path.join(root, name));
      return new Uint16Array(bytes.buffer.slice(bytes.byteOffset + truth.header_bytes, bytes.byteOffset + truth.header_bytes + 2 * SIDE * SIDE));
    }),
  );
  findSpots(images[0]!, truth.shape, { gain: 1, minSpotSize: 3 }, geometry); // warm-up
  const times = images.map(() => Infinity);
  const ours: number[] = [];
  let all = { seconds: Infinity, counts: [] as number[] };
  let two = { seconds: Infinity, counts: [] as number[] };
  for (let pass = 0; pass < RUNS; pass++) {
    images.forEach((image, i) => {
      const t = performance.now();
      ours[i] = findSpots(image, truth.shape, { gain: 1, minSpotSize: 3 }, geometry).spots.length;
      times[i] = Math.min(times[i]!, performance.now() - t);
    });
    const allRun = await dials(root, truth, IMAGES, pass);
    if (allRun.seconds < all.seconds) all = allRun;
    const twoRun = await dials(root, truth, 2, pass);
    if (twoRun.seconds < two.seconds) two = twoRun;
  }
  const oursMs = [...times].sort((a, b) => a - b)[times.length >> 1]!;
  const dialsMs = ((all.seconds - two.seconds) / (IMAGES - 2)) * 1000;
  const same = all.counts.every((n, i) => n === ours[i]);
  const spots = ours.reduce((a, b) => a + b, 0);
  const row = `| ${SIDE}×${SIDE} uint16, ${(spots / IMAGES).toFixed(0)} spots/image | ${oursMs.toFixed(1)} | ${dialsMs.toFixed(1)} | **${(dialsMs / oursMs).toFixed(2)}×** | ${same ? "yes" : `no: ${JSON.stringify(ours)} vs ${JSON.stringify(all.counts)}`} |`;
  const section = [
    "## Spot finding (per image)",
    "",
    `\`node --import tsx bench/spots.ts --write --images ${IMAGES} --runs ${RUNS}\` — ${IMAGES} still images written by \`test/fixtures/make_fixtures.py stills\``,
    "(Bragg-like spots, streaks, hot pixels, a blob, Poisson noise), dispersion threshold with DIALS' defaults (gain 1, min_spot_size 3,",
    "max_separation 2). Lightbook: `findSpots` with the geometry (d-spacings and DIALS' d_min estimate included), median over the images",
    "of each image's best ms, after a warm-up, one thread, images in memory. DIALS 3.12 (Debian): `dials.find_spots spotfinder.threshold.algorithm=dispersion",
    "spotfinder.force_2d=True output.shoeboxes=False nproc=1`,",
    `ms per image = (best run on ${IMAGES} images − best run on 2) / ${IMAGES - 2}, so start-up is`,
    `left out (it reads the SMV files from the page cache). ${RUNS} runs of each, in turn. Same spots: every image has as many spots in both (the test`,
    `test/analysis/spots-dials.test.ts checks centroids, sums and boxes too). Load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end, ${os.cpus().length} cores.`,
    "",
    "| images | Lightbook ms/image | DIALS ms/image | speed-up | same spots |",
    "| --- | ---: | ---: | ---: | --- |",
    row,
    "",
  ].join("\n");
  console.log(section);
  if (process.argv.includes("--write")) await writeBenchmarkSection("## Spot finding (per image)", section);
} finally {
  await rm(root, { recursive: true, force: true });
}
