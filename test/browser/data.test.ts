// Data browser (issue #6): walk the data root, open the demo NeXus scan in H5Web (tree, NeXus
// default heatmap, line and matrix views) read slice by slice through the h5grove API, insert code
// that loads a dataset.

import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { FrameLocator, Locator, Page } from "playwright-core";
import { openH5 } from "../../analysis/index.ts";
import { makeFixture } from "../analysis/fixtures.ts";
import { ARTIFACTS, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();
const SCAN = "demo/scan_0001.h5";

interface Pixels {
  /** Distinct colours: a blank canvas has one, a heatmap many. */
  colours: number;
  /** Pixels not of the most common (background) colour. */
  ink: number;
  hash: number;
}

/** What a (WebGL) canvas shows. */
async function canvasPixels(canvas: Locator): Promise<Pixels> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const copy = document.createElement("canvas");
    copy.width = el.width;
    copy.height = el.height;
    const ctx = copy.getContext("2d")!;
    ctx.drawImage(el, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    const counts = new Map<number, number>();
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      const rgba = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
      counts.set(rgba, (counts.get(rgba) ?? 0) + 1);
      hash = (Math.imul(hash, 31) + rgba) | 0;
    }
    const background = Math.max(...counts.values());
    return { colours: counts.size, ink: data.length / 4 - background, hash };
  });
}

/** Polls until the canvas shows what `drawn` expects (H5Web reads slices and draws asynchronously). */
async function waitForCanvas(canvas: Locator, drawn: (pixels: Pixels) => boolean): Promise<void> {
  for (let tries = 0; !drawn(await canvasPixels(canvas)); tries++) {
    if (tries === 300) throw new Error("the canvas never showed what was expected");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens the demo scan from the data root listing in `scope` (the data page or the notebook's panel). */
async function openScan(page: Page, scope: Page | Locator): Promise<FrameLocator> {
  await scope.getByRole("button", { name: "demo", exact: true }).click();
  await scope.getByRole("button", { name: "scan_0001.h5" }).click();
  const frame = page.frameLocator(`iframe[title="H5Web: ${SCAN}"]`);
  await frame.getByRole("tree").waitFor({ timeout: 60_000 });
  return frame;
}

/** Selects an entity in H5Web's explorer, expanding the groups on the way. */
async function select(h5web: FrameLocator, entityPath: string): Promise<void> {
  const parts = entityPath.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const item = h5web.locator(`[role="treeitem"][data-path="/${parts.slice(0, i).join("/")}"]`);
    if ((await item.getAttribute("aria-selected")) !== "true" && (await item.getAttribute("aria-expanded")) !== "true") {
      await item.click();
      // One step at a time, as a user clicks: switching visualizations while one is still being
      // created can make H5Web's canvas (react-three-fiber) attach events to a detached node.
      await h5web.locator(`[role="treeitem"][data-path="/${parts.slice(0, i).join("/")}"][aria-selected="true"]`).waitFor();
    }
  }
  await h5web.locator(`[role="treeitem"][data-path="${entityPath}"][aria-selected="true"]`).waitFor();
}

test("the data page opens the demo scan in H5Web: tree, NeXus default heatmap, line and matrix views", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  // Requests of the page and its iframe.
  const requested: string[] = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Data" }).click();
  const h5web = await openScan(page, page);

  // The file's NeXus default (/entry/data, an NXdata of 8 frames) opens as a heatmap of frame 1.
  await h5web.getByRole("tab", { name: "NX Heatmap", selected: true }).waitFor({ timeout: 60_000 });
  const heatmap = h5web.getByRole("figure", { name: "data (counts)" }).locator("canvas");
  const first = await canvasPixels(heatmap);
  assert.ok(first.colours > 50, `frame 1 is drawn with a range of colours (${first.colours})`);
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-heatmap.png") });
  // The last frame: another image.
  await h5web.getByRole("slider", { name: "D0" }).press("End");
  await h5web.locator('[role="slider"][aria-valuenow="7"]').waitFor();
  await waitForCanvas(heatmap, (p) => p.hash !== first.hash && p.colours > 50);

  // The tree and the detector group's attributes (Inspect).
  await select(h5web, "/entry/instrument/detector");
  await h5web.getByRole("tab", { name: "Inspect" }).click();
  await h5web.getByRole("row", { name: 'NX_class "NXdetector"' }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-inspect.png") });
  await h5web.getByRole("tab", { name: "Display" }).click();

  // The frames dataset itself, as a line (a row of the frame) and as a matrix of values.
  await select(h5web, "/entry/data/data");
  await h5web.getByRole("tab", { name: "Line" }).click();
  const line = h5web.getByRole("figure", { name: "data" }).locator("canvas");
  // A line through 256 noisy values inks far more pixels than the plot is wide.
  await waitForCanvas(line, (p) => p.ink > 2000);
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-line.png") });

  await h5web.getByRole("tab", { name: "Matrix" }).click();
  const slider = h5web.getByRole("slider", { name: "D0" });
  const frame = Number(await slider.getAttribute("aria-valuenow"));
  const cells = h5web.getByRole("grid").getByRole("row").first().getByRole("gridcell");
  await cells.first().waitFor();
  const shown = await cells.allTextContents();
  const file = await openH5(SCAN, { root: path.join(server.stateDir, "data") });
  try {
    const expected = Array.from(file.dataset("/entry/data/data").frame(frame).data as Iterable<number | bigint>, (v) => Number(v).toExponential(3)).slice(
      0,
      shown.length,
    );
    assert.deepEqual(shown, expected, `the first row of frame ${frame} as h5wasm reads it`);
  } finally {
    file.close();
  }
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-matrix.png") });
  // Slices came from the h5grove API; the file itself was never downloaded.
  assert.ok(
    requested.some((p) => p.endsWith("/api/lightbook/h5grove/data/")),
    "slices read through h5grove",
  );
  assert.deepEqual(
    requested.filter((p) => p.includes("/api/lightbook/data/files")),
    [],
    "no whole-file download",
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test("the notebook's data panel inserts code that loads the dataset selected in H5Web", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.getByRole("button", { name: "Data", exact: true }).click();
  const panel = page.getByRole("complementary", { name: "Data browser" });
  const h5web = await openScan(page, panel);
  const insert = panel.getByRole("button", { name: "Insert code to load this dataset" });
  assert.equal(await insert.isDisabled(), true, "a group is selected at first");
  await select(h5web, "/entry/data/data");
  await panel.getByText("/entry/data/data", { exact: true }).waitFor();
  await waitForCanvas(h5web.getByRole("figure").locator("canvas").first(), (p) => p.colours > 10);
  await page.screenshot({ path: path.join(ARTIFACTS, "data-panel.png") });
  await insert.click();
  await panel.getByRole("button", { name: "Close data browser" }).click();

  const inserted = page.getByTestId("cell").nth(1);
  assert.match((await inserted.getByRole("textbox").textContent()) ?? "", /scan_0001_file\.get\("\/entry\/data\/data"\)/);
  await inserted.press("Control+Enter");
  await inserted.getByTestId("output").getByText("[ 8, 256, 256 ]").waitFor({ timeout: 60_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test("H5Web shows bitshuffle-LZ4 frames (decoded by the server) and an Eiger master's frames through its external links", async () => {
  const server = suite.server();
  const dir = path.join(server.stateDir, "data", "eiger");
  await mkdir(dir, { recursive: true });
  await makeFixture(dir, "big", "bslz4.h5", "--layout", "bitshuffle", "--frames", "2", "--shape", "128", "128");
  // Like every page, it needs the session.
  for (const asset of ["h5web/", "h5web/main.js"]) assert.notEqual((await fetch(`${server.url}${asset}`, { redirect: "manual" })).status, 200, asset);
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  const bundle = await page.request.get(`${server.url}h5web/main.js`, { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(bundle.headers()["content-encoding"], "gzip", "the bundle travels compressed");
  await page.goto(`${server.url}h5web/?file=${encodeURIComponent("eiger/bslz4.h5")}`);
  // The H5Web page on its own, as the iframe loads it.
  await page.locator('[role="treeitem"][data-path="/data"]').click();
  await page.getByRole("tab", { name: "Heatmap" }).click();
  const heatmap = page.getByRole("figure", { name: "data" }).locator("canvas");
  await waitForCanvas(heatmap, (p) => p.colours > 10);
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-bitshuffle.png") });

  // The master's /entry/data/data_000002 is an external link to the second data file's frames.
  await makeFixture(dir, "eiger", "series", "--frames", "4", "--shape", "64", "48", "--per-file", "2");
  await page.goto(`${server.url}h5web/?file=${encodeURIComponent("eiger/series/series_master.h5")}`);
  await page.locator('[role="treeitem"][data-path="/entry"]').click();
  await page.locator('[role="treeitem"][data-path="/entry/data"]').click();
  await page.locator('[role="treeitem"][data-path="/entry/data/data_000002"]').click();
  // Frame 0 of that file is frame 2 of the series: its first row as the library reads it from the data file.
  await page.getByRole("tab", { name: "Matrix" }).click();
  const cells = page.getByRole("grid").getByRole("row").first().getByRole("gridcell");
  await cells.first().waitFor();
  const shown = await cells.allTextContents();
  const series = await openH5("eiger/series/series_data_000002.h5", { root: path.join(server.stateDir, "data") });
  try {
    const expected = Array.from(series.dataset("/entry/data/data").frame(0).data as Iterable<number>, (v) => v.toExponential(3)).slice(0, shown.length);
    assert.deepEqual(shown, expected);
  } finally {
    series.close();
  }
  await page.screenshot({ path: path.join(ARTIFACTS, "data-h5web-eiger-master.png") });
  assert.deepEqual(problems, []);

  // A file that leads out of the data root (a symlink) is refused by the data API, and the page says so.
  await symlink("/etc/hostname", path.join(dir, "outside.h5"));
  await page.goto(`${server.url}h5web/?file=${encodeURIComponent("eiger/outside.h5")}`);
  const refused = await page.getByRole("alert").textContent();
  assert.match(refused ?? "", /^Could not open eiger\/outside\.h5: 4\d\d /);
  await page.close();
});
