// Outputs as a JupyterLab user reads them (issue 16, item 5): "Out[n]:" prompts, coloured tracebacks
// with their header once, stdout and stderr interleaved as printed, and a chart's PNG/SVG export.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, BAR_CHART, browserSuite, newNotebook, openPage, runInCell } from "../support/notebook-page.ts";

const suite = browserSuite();

const output = (page: Page, n: number) =>
  page
    .getByTestId("cell")
    .nth(n - 1)
    .getByTestId("output");

test("a result has its Out[n] prompt, a traceback its coloured header once, and streams keep their order", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await runInCell(page, 1, "6 * 7");
  assert.equal(await output(page, 1).getByTestId("output-prompt").textContent(), "Out[1]:");
  assert.equal(await output(page, 1).locator("[data-mime='text/plain']").textContent(), "42");

  await runInCell(page, 2, 'console.log("out 1");\nconsole.error("err 1");\nconsole.log("out 2");\nconsole.error("err 2");');
  const streams = await output(page, 2)
    .locator(".output-stream")
    .evaluateAll((els) => els.map((el) => `${el.classList.contains("output-stderr") ? "stderr" : "stdout"}: ${el.textContent?.trim()}`));
  assert.deepEqual(streams, ["stdout: out 1", "stderr: err 1", "stdout: out 2", "stderr: err 2"]);
  assert.equal(await output(page, 2).getByTestId("output-prompt").count(), 0, "streams have no Out prompt");

  await runInCell(page, 3, 'const q = 2;\nthrow new RangeError("q out of range: " + q);');
  const error = output(page, 3).locator(".output-error");
  const text = (await error.textContent()) ?? "";
  assert.equal(text.split("\n").filter((line) => line === "RangeError: q out of range: 2").length, 1, text);
  const name = error.locator("span", { hasText: /^RangeError$/ });
  assert.match(
    (await name.getAttribute("style")) ?? "",
    /font-weight:\s*bold.*color:\s*rgb\(187,\s*0,\s*0\)|color:\s*rgb\(187,\s*0,\s*0\).*font-weight:\s*bold/,
  );
  // A short stream starting with a blank line (as the kernel's truncation note does) has no "lines hidden" banner.
  await runInCell(page, 4, 'console.error("\\n[a note after a blank line]")');
  await output(page, 4).getByText("[a note after a blank line]").waitFor();
  assert.equal(await output(page, 4).getByTestId("output-truncated").count(), 0);
  await page.screenshot({ path: path.join(ARTIFACTS, "output-details.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a vega-lite chart's actions menu saves it as PNG and as SVG", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  const spec = BAR_CHART;
  await runInCell(page, 1, `display({ "application/vnd.vegalite.v5+json": ${JSON.stringify(spec)} });`);
  const chart = output(page, 1).getByTestId("vega-chart");
  await chart.locator("canvas").waitFor({ timeout: 30_000 });
  const menu = chart.locator("details[title='Click to view actions']");
  await menu.locator("summary").click();
  await page.screenshot({ path: path.join(ARTIFACTS, "output-vega-actions.png") });

  const saved = async (label: string): Promise<Buffer> => {
    const download = page.waitForEvent("download");
    // vega-embed renders the image on mousedown and sets it as the link's href for the click that
    // follows; the button is held until it has (a loaded machine renders slower than a hand clicks).
    const link = chart.getByRole("link", { name: label });
    await link.hover();
    await page.mouse.down();
    await page.waitForFunction((el) => (el?.getAttribute("href") ?? "#") !== "#", await link.elementHandle());
    await page.mouse.up();
    const file = await (await download).path();
    return readFile(file);
  };
  const png = await saved("Save as PNG");
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG file");
  // The menu stays open after a download (vega-embed closes it on a click elsewhere).
  const svg = (await saved("Save as SVG")).toString("utf8");
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<path[^>]*fill="#4c78a8"/, "the bars are in the SVG");
  assert.deepEqual(problems, []);
  await page.close();
});
