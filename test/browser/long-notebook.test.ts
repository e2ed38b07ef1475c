// Long notebooks (issue #16 item 9): a cell's editor is made when the cell comes near the screen or
// is selected; until then its source shows as text, and nothing a user does finds the difference:
// clicking it edits it, the keyboard reaches it, search finds and replaces in it.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { browserSuite, cellInput, openNotebookPage, savedNotebook } from "../support/notebook-page.ts";
import { notebookOf, putNotebook } from "../support/notebooks.ts";
import { waitFor } from "../support/workflow.ts";

const suite = browserSuite();
const CELLS = 150;
const FILE = "long.ipynb";

/** Cells whose editor exists. */
const editors = (page: Page) => page.locator('[data-testid="cell"] .cm-content').count();
/** Waits until the stored notebook's cell `n` has `source` (the page saves on its own). */
async function stored(n: number, source: string): Promise<void> {
  let last = "";
  await waitFor(
    async () => (last = (await savedNotebook(suite.server(), FILE)).content.cells[n - 1]?.source ?? "") === source,
    30_000,
    () => `cell ${n} is stored as ${JSON.stringify(last)}`,
  );
}
const pending = (page: Page, n: number) =>
  page
    .getByTestId("cell")
    .nth(n - 1)
    .locator(".cell-editor-pending");

test("a 150-cell notebook makes editors near the screen only; a far cell edits, takes keys and search as any other", { timeout: 180_000 }, async () => {
  const server = suite.server();
  await putNotebook(
    server,
    FILE,
    notebookOf(Array.from({ length: CELLS }, (_, i) => ({ id: `c${i + 1}`, source: `// cell ${i + 1}\nconst v${i + 1} = ${i + 1};` }))),
  );
  const { page, problems } = await openNotebookPage(suite.browser(), server, FILE);
  await cellInput(page, 1).waitFor();
  await pending(page, CELLS).waitFor();
  const made = await editors(page);
  assert.ok(made > 0 && made < CELLS, `${made} editors made for ${CELLS} cells at the top of the page`);
  // The far cell shows its source and is named as its editor will be.
  assert.match((await cellInput(page, CELLS).textContent()) ?? "", /\/\/ cell 150\s*const v150 = 150;/);

  // Clicking the text edits it: the editor is made and the keys typed next land in it.
  await cellInput(page, CELLS).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(" // edited");
  await page
    .getByTestId("cell")
    .nth(CELLS - 1)
    .locator(".cm-content")
    .filter({ hasText: "const v150 = 150; // edited" })
    .waitFor();
  await stored(CELLS, "// cell 150\nconst v150 = 150; // edited");

  // Back at the top, the keyboard walks to a far cell: selecting it makes its editor, Enter edits it.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Home");
  await cellInput(page, 1).click();
  await page.keyboard.press("Escape");
  for (let i = 1; i < 100; i++) await page.keyboard.press("j");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.type("0");
  await page.getByTestId("cell").nth(99).locator(".cm-content").filter({ hasText: "const v100 = 1000;" }).waitFor();

  // Search finds in cells whose editor is not made yet, and replace-all changes them.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+f");
  await page.getByRole("search", { name: "Find in notebook" }).waitFor();
  await page.keyboard.type("const v140 ");
  await page
    .getByTestId("search-count")
    .filter({ hasText: /^1 of 1$/ })
    .waitFor();
  await page.keyboard.press("Enter");
  await page.getByTestId("cell").nth(139).locator(".cm-content").waitFor();
  await page.keyboard.press("Control+h");
  await page.getByRole("textbox", { name: "Replace with" }).fill("let w140 ");
  await page.getByRole("button", { name: "Replace all" }).click();
  await stored(140, "// cell 140\nlet w140 = 140;");
  assert.deepEqual(problems, []);
});
