// Notebook-level commands (issue 16, item 6): Restart & Run All, renaming from the title, the dirty
// marker in the tab's title, a table of contents, cell tags and metadata, menus that close after a
// choice, and printing without the toolbar.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import {
  ARTIFACTS,
  browserSuite,
  cellInput,
  newNotebook,
  openNotebookPage,
  openPage,
  runInCell,
  savedNotebook,
  waitForIdle,
} from "../support/notebook-page.ts";

const suite = browserSuite();

const cells = (page: Page) => page.getByTestId("cell");
const count = (page: Page, n: number) =>
  cells(page)
    .nth(n - 1)
    .getByTestId("execution-count");

async function saved(page: Page): Promise<void> {
  await page.keyboard.press("Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
}

test("Restart & Run All restarts the kernel after confirmation and runs every cell from a fresh count", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await runInCell(page, 1, "let runs = (globalThis.runs ?? 0) + 1;\nglobalThis.runs = runs;\nruns");
  await runInCell(page, 2, "runs * 10");
  await runInCell(page, 3, "runs * 100");
  assert.equal(await count(page, 3).textContent(), "[3]:");
  // Cleared first, so the counts the run gives are seen to start again at 1.
  await page.getByText("Clear", { exact: true }).click();
  await page.getByRole("button", { name: "Clear all outputs" }).click();
  await count(page, 3).filter({ hasText: "[ ]:" }).waitFor();

  await page.getByRole("button", { name: "Restart kernel and run all" }).click();
  const dialog = page.getByRole("dialog", { name: "Restart kernel and run all cells?" });
  await dialog.getByRole("button", { name: "Restart and run all" }).click();
  // A fresh kernel: the counts start again at 1 and `runs` is 1 again (4, 5, 6 and 2 without the restart).
  await count(page, 3).filter({ hasText: "[3]:" }).waitFor({ timeout: 60_000 });
  await cells(page).nth(2).getByTestId("output").getByText("100", { exact: true }).waitFor();
  assert.deepEqual((await page.getByTestId("execution-count").allTextContents()).slice(0, 3), ["[1]:", "[2]:", "[3]:"]);
  assert.equal(await cells(page).first().getByTestId("output").locator("[data-mime='text/plain']").textContent(), "1");
  assert.equal(await cells(page).nth(1).getByTestId("output").locator("[data-mime='text/plain']").textContent(), "10");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the title renames the notebook, the kernel goes along, and the tab's title marks unsaved changes", async () => {
  const { page, problems } = await openPage(suite.browser());
  const server = suite.server();
  const file = await newNotebook(page, server);
  assert.equal(await page.title(), `${file} · Lightbook`);
  await cellInput(page).click();
  await page.keyboard.insertText("const beam = 12.4;\nbeam");
  assert.equal(await page.title(), `● ${file} · Lightbook`, "unsaved: a dot before the name");
  await saved(page);
  assert.equal(await page.title(), `${file} · Lightbook`);
  await page.keyboard.press("Control+Enter");
  await count(page, 1).filter({ hasText: "[1]:" }).waitFor({ timeout: 60_000 });

  await page.getByRole("button", { name: file, exact: true }).click();
  const name = page.getByRole("textbox", { name: "Notebook name" });
  await name.fill("beam scan.ipynb");
  await name.press("Enter");
  await page.waitForURL(/\/notebooks\/beam%20scan\.ipynb$/);
  await page.getByRole("button", { name: "beam scan.ipynb", exact: true }).waitFor();
  assert.equal(await page.title(), "beam scan.ipynb · Lightbook");
  await waitForIdle(page);
  // The renamed notebook's session kept its kernel: the variable defined before is still there.
  await page.getByRole("button", { name: "Add cell" }).click();
  await runInCell(page, 2, "beam * 2");
  await cells(page).nth(1).getByTestId("output").getByText("24.8", { exact: true }).waitFor();
  assert.equal((await savedNotebook(server, "beam scan.ipynb")).content.cells[0]?.source, "const beam = 12.4;\nbeam");
  const old = await fetch(`${server.url}api/contents/${encodeURIComponent(file)}`, { headers: { Authorization: `token ${server.token}` } });
  assert.equal(old.status, 404, "the old name is gone");

  // A name taken by another notebook is refused with a message, and the page stays.
  await page.goto(`${server.url}`);
  await page.getByRole("button", { name: "New notebook" }).click();
  await page.waitForURL(/\/notebooks\/Untitled\d*\.ipynb$/);
  await waitForIdle(page);
  const other = decodeURIComponent(new URL(page.url()).pathname.replace(/^\/notebooks\//, ""));
  await page.getByRole("button", { name: other, exact: true }).click();
  await page.getByRole("textbox", { name: "Notebook name" }).fill("beam scan.ipynb");
  await page.getByRole("textbox", { name: "Notebook name" }).press("Enter");
  await page
    .getByRole("alert")
    .filter({ hasText: /rename/i })
    .waitFor();
  assert.match(page.url(), new RegExp(`/notebooks/${other}$`));
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-rename-refused.png") });
  await page.getByRole("textbox", { name: "Notebook name" }).press("Escape");
  assert.deepEqual(
    problems.filter((p) => !/Failed to load resource/.test(p)),
    [],
  );
  await page.close();
});

test("the table of contents lists the markdown headings and selects the cell of the one clicked", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  const markdown = async (n: number, source: string) => {
    await cells(page)
      .nth(n - 1)
      .click();
    await page.keyboard.press("Escape");
    await page.keyboard.press("m");
    await page.keyboard.press("Enter");
    await page.keyboard.insertText(source);
    await page.keyboard.press("Shift+Enter");
  };
  await markdown(1, "# Calibration\n\nSome text.\n\n```\n# not a heading\n```");
  await markdown(2, "## Detector distance");
  await markdown(3, "## Beam *centre*\n\n### Fit");
  await page.getByRole("button", { name: "Table of contents" }).click();
  const toc = page.getByTestId("toc");
  assert.deepEqual(await toc.getByRole("button").allTextContents(), ["Calibration", "Detector distance", "Beam centre", "Fit"]);
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-toc.png") });
  await toc.getByRole("button", { name: "Detector distance" }).click();
  assert.equal(await cells(page).nth(1).getAttribute("data-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Cell 2");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a cell's tags and metadata are edited in a dialog, refused when not a JSON object, and saved", async () => {
  const { page, problems } = await openPage(suite.browser());
  const server = suite.server();
  const file = await newNotebook(page, server);
  await cells(page).first().hover();
  await page.getByRole("button", { name: "Cell 1 tags and metadata" }).click();
  const dialog = page.getByRole("dialog", { name: "Cell 1 tags and metadata" });
  await dialog.getByRole("textbox", { name: /Tags/ }).fill("calibration, raw calibration");
  const json = dialog.getByRole("textbox", { name: "Metadata (JSON)" });
  await json.fill('{"beamline": "P11",');
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("alert").filter({ hasText: "not valid JSON" }).waitFor();
  await json.fill("[1, 2]");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("alert").filter({ hasText: "must be a JSON object" }).waitFor();
  await json.fill('{"beamline": "P11"}');
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.deepEqual(await page.getByRole("list", { name: "Cell 1 tags" }).getByRole("listitem").allTextContents(), ["calibration", "raw"]);
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-cell-tags.png") });
  await cells(page).first().click();
  await saved(page);
  const metadata = (await savedNotebook(server, file)).content.cells[0]?.metadata;
  assert.deepEqual(metadata, { beamline: "P11", tags: ["calibration", "raw"] });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the Export menu closes after a choice, and printing shows the notebook without the toolbar", async () => {
  const opened = await openPage(suite.browser());
  let page = opened.page;
  const file = await newNotebook(page, suite.server());
  await runInCell(page, 1, 'console.log("printed output")');
  await page.evaluate(() => {
    window.addEventListener("beforeprint", () => ((window as unknown as { __printed: boolean }).__printed = true));
  });
  await page.getByText("Export", { exact: true }).click();
  const print = page.getByRole("button", { name: "Print / PDF" });
  await print.click();
  await print.waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => (window as unknown as { __printed?: boolean }).__printed), true, "the browser's print ran");
  await page.keyboard.press("Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  await page.close();

  // The print started above holds that page; the printed look is checked on a fresh one.
  const printed = await openNotebookPage(suite.browser(), suite.server(), file);
  page = printed.page;
  await waitForIdle(page);
  await cells(page).first().locator(".output-stream").waitFor();
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".toolbar").isVisible(), false);
  assert.equal(await page.locator(".app-header").isVisible(), false);
  assert.equal(await cells(page).first().locator(".cell-actions").isVisible(), false);
  assert.ok(await cells(page).first().locator(".output-stream").isVisible());
  const pdf = await page.pdf({ format: "A4" });
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  await writeFile(path.join(ARTIFACTS, "notebook-print.pdf"), pdf);
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-print.png") });
  assert.deepEqual([...opened.problems, ...printed.problems], []);
  await page.close();
});
