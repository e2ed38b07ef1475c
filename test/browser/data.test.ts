// Data browser (issue #6): walk the data root, open the demo NeXus scan, see a frame, insert code.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Locator } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();

/** Distinct colours drawn on the heatmap canvas: a blank or flat frame has one. */
async function distinctColours(canvas: Locator): Promise<number> {
  return canvas.evaluate((el: HTMLCanvasElement) => {
    const { data } = el.getContext("2d")!.getImageData(0, 0, el.width, el.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}

test("the data page opens the demo scan on its NeXus default plot and shows frames as a heatmap", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Data" }).click();
  await page.getByRole("button", { name: "📁 demo" }).click();
  await page.getByRole("button", { name: "scan_0001.h5" }).click();
  const view = page.getByTestId("hdf5-view");
  await view.waitFor({ timeout: 60_000 });
  await view.getByRole("heading", { name: "/entry/data/data" }).waitFor();
  assert.match((await view.getByTestId("dataset-shape").textContent()) ?? "", /\[8 × 256 × 256\]/);
  assert.equal(await view.getByRole("table", { name: "Attributes" }).getByRole("row", { name: "units counts" }).count(), 1);

  const heatmap = view.getByTestId("heatmap");
  assert.ok((await distinctColours(heatmap)) > 50, "frame 1 is drawn with a range of colours");
  const first = await heatmap.evaluate((el: HTMLCanvasElement) => el.toDataURL());
  await view.getByRole("slider", { name: "Frame" }).fill("7");
  await view.getByText("Frame 8 of 8").waitFor();
  assert.notEqual(await heatmap.evaluate((el: HTMLCanvasElement) => el.toDataURL()), first, "another frame is another image");
  await page.screenshot({ path: path.join(ARTIFACTS, "data-heatmap.png") });

  // The tree: the detector group and its attributes.
  await view.getByRole("button", { name: "Expand instrument" }).click();
  await view.getByRole("button", { name: "detector", exact: true }).click();
  await view.getByRole("row", { name: "NX_class NXdetector" }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test("the notebook's data panel inserts code that loads the dataset in the kernel", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.getByRole("button", { name: "Data", exact: true }).click();
  const panel = page.getByRole("complementary", { name: "Data browser" });
  await panel.getByRole("button", { name: "📁 demo" }).click();
  await panel.getByRole("button", { name: "scan_0001.h5" }).click();
  await panel.getByTestId("heatmap").waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, "data-panel.png") });
  await panel.getByRole("button", { name: "Insert code to load this dataset" }).click();
  await page.getByRole("button", { name: "Data", exact: true }).click();

  const inserted = page.getByTestId("cell").nth(1);
  assert.match((await inserted.getByRole("textbox").textContent()) ?? "", /scan_0001_file\.get\("\/entry\/data\/data"\)/);
  await inserted.press("Control+Enter");
  await inserted.getByTestId("output").getByText("[ 8, 256, 256 ]").waitFor({ timeout: 60_000 });
  assert.deepEqual(problems, []);
  await page.close();
});
