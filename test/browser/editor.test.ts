// The cell editor as a JupyterLab user expects it (issue #16 item 4): brackets and quotes close
// themselves, several cursors (Ctrl-D, Alt-click, Ctrl-click), the called function's signature while
// typing its arguments.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, cellInput, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();

async function text(page: Page, n = 1): Promise<string> {
  return cellInput(page, n)
    .locator(".cm-line")
    .evaluateAll((lines) => lines.map((line) => line.textContent).join("\n"));
}

/** Clicks right of the end of line `index` (0-based) of cell 1, with `modifiers` held. */
async function clickLineEnd(page: Page, index: number, modifiers: ("Alt" | "Control")[] = []): Promise<void> {
  const box = (await cellInput(page).locator(".cm-line").nth(index).boundingBox())!;
  await page.mouse.move(box.x + box.width - 4, box.y + box.height / 2);
  for (const key of modifiers) await page.keyboard.down(key);
  await page.mouse.down();
  await page.mouse.up();
  for (const key of modifiers) await page.keyboard.up(key);
}

test("brackets and quotes close themselves and are typed over; Ctrl-D, Alt-click and Ctrl-click make several cursors", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.keyboard.press("Enter");

  await page.keyboard.type('const beam = [12.4, "Si');
  assert.equal(await text(page), 'const beam = [12.4, "Si"]', "the bracket and the quote closed themselves");
  await page.keyboard.type('"];');
  assert.equal(await text(page), 'const beam = [12.4, "Si"];', "typing the closing characters steps over them");

  // Ctrl-D selects the word at the cursor, then each next occurrence; typing replaces them all.
  await page.keyboard.press("Control+a");
  await page.keyboard.type("energy + energy * energy");
  await page.keyboard.press("Home");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Control+d");
  await page.screenshot({ path: path.join(ARTIFACTS, "editor-ctrl-d.png") });
  await page.keyboard.type("e");
  assert.equal(await text(page), "e + e * e");

  // Alt-click and Ctrl-click add cursors at the ends of lines 2 and 3.
  await page.keyboard.press("Control+a");
  await page.keyboard.type("a\nbb\nccc");
  await clickLineEnd(page, 0);
  await clickLineEnd(page, 1, ["Alt"]);
  await clickLineEnd(page, 2, ["Control"]);
  await page.keyboard.type(";");
  assert.equal(await text(page), "a;\nbb;\nccc;");
  assert.deepEqual(problems, []);
  await page.close();
});

test("typing a call's arguments shows the function's signature from the kernel until the call is closed", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.keyboard.press("Enter");
  await page.keyboard.type("Math.max(");
  const tooltip = page.getByTestId("signature-tooltip");
  await tooltip.waitFor({ timeout: 30_000 });
  assert.match((await tooltip.textContent()) ?? "", /max\(\.\.\.values: number\[\]\): number/);
  await page.keyboard.type("1, ");
  await tooltip.filter({ hasText: "values: number[]" }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, "signature-tooltip.png") });
  await page.keyboard.type("2)");
  await tooltip.waitFor({ state: "detached" });
  assert.equal(await text(page), "Math.max(1, 2)");

  // Escape closes it first, then leaves edit mode.
  await page.keyboard.type(" + Math.min(");
  await tooltip.waitFor({ timeout: 30_000 });
  await page.keyboard.press("Escape");
  await tooltip.waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("notebook-mode").textContent(), "Edit");
  await page.keyboard.press("Escape");
  await page.getByTestId("notebook-mode").filter({ hasText: "Command" }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
