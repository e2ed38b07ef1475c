// The notebook page's layout (issue 16, item 8): a toolbar on one row at 1280 px that does not move
// when the save state changes, a configurable column width, a file browser beside the notebook, a
// dark theme following the system, and icons drawn without fonts.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, cellInput, newNotebook, openPage, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

/** The controls on the toolbar itself (not those inside its closed menus). */
const CONTROLS = ".notebook-name-button, .toolbar-buttons > button, .toolbar summary";

/** Where every control of the toolbar is. */
function toolbarBoxes(page: Page) {
  return page.locator(`${CONTROLS}, .toolbar .kernel-status`).evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return `${el.getAttribute("aria-label") ?? el.textContent}: ${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`;
    }),
  );
}

test("the toolbar is one row at 1280 px, stays put as the save state changes, and draws its icons as SVG", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  const toolbar = page.locator(".toolbar");
  const height = (await toolbar.boundingBox())!.height;
  const row = (await page.getByRole("button", { name: "Save", exact: true }).boundingBox())!.height;
  assert.ok(height < row * 2, `one row: the toolbar is ${height} px high, a button ${row} px`);
  const middles = await page.locator(CONTROLS).evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return r.top + r.height / 2;
    }),
  );
  assert.ok(Math.max(...middles) - Math.min(...middles) < 4, `every control on one line (middles ${middles.join(", ")})`);

  const saved = await toolbarBoxes(page);
  await cellInput(page).click();
  await page.keyboard.insertText("1 + 1");
  await page.getByTestId("save-state").filter({ hasText: "Unsaved changes" }).waitFor();
  assert.deepEqual(await toolbarBoxes(page), saved, "nothing moved when the edit made the notebook unsaved");
  await page.keyboard.press("Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  assert.deepEqual(await toolbarBoxes(page), saved);

  // Every icon-only control is an SVG with an accessible name; no glyph from a font stands for an icon.
  const controls = await page
    .locator(".toolbar-buttons > button, .cell-actions button, .cell-drag-handle")
    .evaluateAll((els) =>
      els.map((el) => ({ name: el.getAttribute("aria-label"), svg: el.querySelector("svg") !== null, text: el.textContent?.trim() ?? "" })),
    );
  assert.ok(controls.length >= 15, `${controls.length} controls`);
  for (const control of controls) {
    assert.ok(control.svg && control.name, `${control.name ?? control.text}: an SVG icon and a name`);
    assert.doesNotMatch(control.text, /[^\x20-\x7e]/, `${control.name}: no symbol characters`);
  }
  await page.screenshot({ path: path.join(ARTIFACTS, "layout-toolbar-1280.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("on a wide screen the column width is chosen from the toolbar and kept; a file browser opens beside the notebook", async () => {
  const page = await suite.browser().newPage({ viewport: { width: 1920, height: 1000 } });
  const server = suite.server();
  const other = await newNotebook(page, server);
  await page.goto(server.url);
  await page.getByRole("button", { name: "New notebook" }).click();
  await page.waitForURL((url) => !url.pathname.endsWith(encodeURIComponent(other)) && url.pathname.startsWith("/notebooks/"));
  await waitForIdle(page);
  const column = () => page.locator(".cells").evaluate((el) => el.getBoundingClientRect().width);
  assert.ok((await column()) <= 1100, `normal width: ${await column()} px`);
  await page.getByText("Width", { exact: true }).click();
  await page.getByRole("button", { name: "Full width" }).click();
  assert.ok((await column()) > 1800, `full width: ${await column()} px`);
  await page.reload();
  await waitForIdle(page);
  assert.ok((await column()) > 1800, "the width is kept for the next visit");

  await page.getByRole("button", { name: "Files" }).click();
  const files = page.getByRole("complementary", { name: "File browser" });
  await files.getByRole("link", { name: other }).waitFor();
  const panel = (await files.boundingBox())!;
  const cellsBox = (await page.locator(".cells").boundingBox())!;
  assert.ok(panel.x + panel.width <= cellsBox.x, "the panel is beside the cells, not over them");
  await page.screenshot({ path: path.join(ARTIFACTS, "layout-wide-files.png") });
  await files.getByRole("link", { name: other }).click();
  await page.waitForURL(new RegExp(`/notebooks/${other}$`));
  await waitForIdle(page);
  await page.getByText("Width", { exact: true }).click();
  await page.getByRole("button", { name: "Normal width" }).click();
  assert.ok((await column()) <= 1100);
  await page.close();
});

test("the dark theme follows the system's preference", async () => {
  const { page, problems } = await openPage(suite.browser());
  await page.emulateMedia({ colorScheme: "dark" });
  await newNotebook(page, suite.server());
  await cellInput(page).click();
  await page.keyboard.insertText('console.log("dark");\nconsole.error("warning");\n"result"');
  await page.keyboard.press("Shift+Enter");
  await page.getByTestId("output-prompt").waitFor({ timeout: 60_000 });
  const colours = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.body).color,
    editor: getComputedStyle(document.querySelector(".cm-editor")!).backgroundColor,
  }));
  assert.deepEqual(colours, { body: "rgb(20, 23, 28)", text: "rgb(221, 227, 236)", editor: "rgb(23, 26, 32)" });
  await page.screenshot({ path: path.join(ARTIFACTS, "layout-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(246, 247, 249)");
  await page.screenshot({ path: path.join(ARTIFACTS, "layout-light.png") });
  assert.deepEqual(problems, []);
  await page.close();
});
