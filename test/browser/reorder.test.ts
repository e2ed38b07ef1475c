// Drag to reorder cells (issue #6): the handle's drop moves the cell, keeps its outputs, and saves.

import path from "node:path";
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage, savedNotebook, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

const cells = (page: Page) => page.getByTestId("cell");

const saveState = (page: Page, state: string) => page.locator(`[data-testid="save-state"][data-state="${state}"]`).waitFor({ timeout: 30_000 });

async function sources(page: Page): Promise<string[]> {
  return cells(page).evaluateAll((els) => els.map((el) => el.querySelector(".cm-content")?.textContent ?? ""));
}

test("dragging cell 3 above cell 1 reorders the notebook, keeps outputs, and survives save and reload", async () => {
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, suite.server());

  await page.keyboard.press("Enter");
  await page.keyboard.type('"first"');
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type('"second"');
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type('"third"');
  await page.keyboard.press("Control+Enter");
  await cells(page).nth(2).getByTestId("output").getByText(/third/).waitFor({ timeout: 30_000 });
  assert.deepEqual(await sources(page), ['"first"', '"second"', '"third"']);
  await page.keyboard.press("Control+s");
  await saveState(page, "saved");

  // Dropped on cell 1's gutter, clear of its editor (which takes text drops).
  await page.getByRole("button", { name: "Drag cell 3" }).hover();
  await page.mouse.down();
  const target = (await cells(page).nth(0).boundingBox())!;
  await page.mouse.move(target.x + 30, target.y + 30, { steps: 5 });
  // While dragging, a marker shows where the cell lands: above cell 1.
  await page.locator('[data-testid="cell"][data-drop-side="before"]').waitFor({ timeout: 10_000 });
  assert.equal(await cells(page).nth(0).getAttribute("data-drop-side"), "before");
  assert.equal(await page.locator("[data-drop-side]").count(), 1);
  await page.screenshot({ path: path.join(ARTIFACTS, "reorder-drop-marker.png") });
  await page.mouse.up();
  assert.equal(await page.locator("[data-drop-side]").count(), 0, "the marker goes with the drop");
  assert.deepEqual(await sources(page), ['"third"', '"first"', '"second"']);
  await cells(page).nth(0).getByTestId("output").getByText(/third/).waitFor();
  await saveState(page, "unsaved");

  await page.keyboard.press("Control+s");
  await saveState(page, "saved");
  const saved = await savedNotebook(suite.server(), file);
  assert.deepEqual(
    saved.content.cells.map((c) => c.source),
    ['"third"', '"first"', '"second"'],
  );

  await page.reload();
  await waitForIdle(page);
  assert.deepEqual(await sources(page), ['"third"', '"first"', '"second"']);
  assert.deepEqual(problems, []);
});
