// Cells in bulk (issue #16): extend the selection by keys and Shift-click, select all, cut / copy /
// paste within and across notebooks, delete and undo a selection, merge, split at the cursor.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage, savedNotebook } from "../support/notebook-page.ts";

const suite = browserSuite();

const cells = (page: Page) => page.getByTestId("cell");

/** Each cell's source, from its editor or, before the editor is made (lazily, as it comes near the screen), from its placeholder. */
async function sources(page: Page): Promise<string[]> {
  return cells(page).evaluateAll((els) =>
    els.map((el) => {
      const pending = el.querySelector(".cell-editor-pending pre");
      return pending ? (pending.textContent ?? "") : Array.from(el.querySelectorAll(".cm-line"), (line) => line.textContent).join("\n");
    }),
  );
}

/** 1-based numbers of the selected cells. */
async function selection(page: Page): Promise<number[]> {
  const flags = await cells(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-in-selection") === "true"));
  return flags.flatMap((selected, i) => (selected ? [i + 1] : []));
}

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

async function saved(page: Page): Promise<void> {
  await press(page, "Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor({ timeout: 30_000 });
}

/** Types each source into a cell of its own, by keyboard, and returns to command mode on the last. */
async function typeCells(page: Page, ...texts: string[]): Promise<void> {
  for (const [i, text] of texts.entries()) {
    if (i > 0) await press(page, "Escape", "b");
    await press(page, "Enter");
    await page.keyboard.type(text);
  }
  await press(page, "Escape");
}

test("Shift-J/K and Shift-click extend the selection; C, V / Shift-V, D D and Z act on all of it; Shift-M merges; Ctrl-Shift-Minus splits", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  await typeCells(page, "one", "two", "three");
  assert.deepEqual(await selection(page), [3]);

  // Shift-K twice selects cells 1–3; Shift-J shrinks the range back to 2–3.
  await press(page, "Shift+K", "Shift+ArrowUp");
  assert.deepEqual(await selection(page), [1, 2, 3]);
  await press(page, "Shift+J");
  assert.deepEqual(await selection(page), [2, 3]);
  await page.screenshot({ path: path.join(ARTIFACTS, "cells-selection.png") });

  // C copies both; J K (plain moves) collapse the selection; V pastes them below the active cell.
  await press(page, "c", "j", "k");
  assert.deepEqual(await selection(page), [2]);
  await press(page, "v");
  assert.deepEqual(await sources(page), ["one", "two", "two", "three", "three"]);
  assert.deepEqual(await selection(page), [3, 4], "the pasted cells are the selection");
  // Shift-V pastes above the active cell.
  await press(page, "Shift+V");
  assert.deepEqual(await sources(page), ["one", "two", "two", "two", "three", "three", "three"]);

  // D D deletes the whole selection at once; Z brings it back in place.
  await press(page, "d", "d");
  assert.deepEqual(await sources(page), ["one", "two", "two", "three", "three"]);
  await press(page, "z");
  assert.deepEqual(await sources(page), ["one", "two", "two", "two", "three", "three", "three"]);
  await press(page, "d", "d");

  // Ctrl-A selects every cell.
  await press(page, "Control+a");
  assert.deepEqual(await selection(page), [1, 2, 3, 4, 5]);

  // Shift-click on cell 2's prompt, from cell 1, selects 1–2; Shift-M merges them into one cell.
  await cells(page).nth(0).getByTestId("execution-count").click();
  assert.deepEqual(await selection(page), [1]);
  await cells(page)
    .nth(1)
    .getByTestId("execution-count")
    .click({ modifiers: ["Shift"] });
  assert.deepEqual(await selection(page), [1, 2]);
  await press(page, "Shift+M");
  assert.deepEqual(await sources(page), ["one\n\ntwo", "two", "three", "three"]);
  await page.getByTestId("notebook-mode").filter({ hasText: "Command" }).waitFor();

  // Enter edits the merged cell; Ctrl-Shift-Minus on its blank middle line splits it again, editing the lower half.
  await press(page, "k", "Enter", "Control+Home", "ArrowDown", "Control+Shift+Minus");
  assert.deepEqual(await sources(page), ["one", "two", "two", "three", "three"]);
  await page.getByTestId("notebook-mode").filter({ hasText: "Edit" }).waitFor();
  await page.keyboard.type("2");
  assert.deepEqual(await sources(page), ["one", "2two", "two", "three", "three"]);
  await press(page, "Escape");
  await page.screenshot({ path: path.join(ARTIFACTS, "cells-split.png") });

  await saved(page);
  const stored = (await savedNotebook(server, file)).content.cells as unknown as { id: string; source: string }[];
  assert.deepEqual(
    stored.map((c) => c.source),
    ["one", "2two", "two", "three", "three"],
  );
  assert.equal(new Set(stored.map((c) => c.id)).size, stored.length, "cell ids stay unique");
  assert.deepEqual(problems, []);
  await page.close();
});

/** Two tabs of one browser profile (one context: they share localStorage), recording page errors. */
async function twoTabs(): Promise<{ page: Page; other: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await suite.browser().newContext({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  const tab = async () => {
    const page = await context.newPage();
    page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    page.on("pageerror", (e) => void problems.push(e.message));
    return page;
  };
  return { page: await tab(), other: await tab(), problems, close: () => context.close() };
}

test("cells cut in one notebook paste into another open in the same browser, with their outputs", async () => {
  const server = suite.server();
  const { page, other, problems, close } = await twoTabs();
  await newNotebook(page, server);
  await typeCells(page, 'console.log("from A")', "keep");
  await press(page, "k", "Control+Enter");
  await cells(page).nth(0).getByTestId("output").getByText("from A").waitFor({ timeout: 30_000 });
  await press(page, "Shift+J", "x");
  assert.deepEqual(await sources(page), [""], "an emptied notebook gets a blank cell to type in");

  // Another tab of the same browser, another notebook.
  const otherFile = await newNotebook(other, server);
  await typeCells(other, "b1");
  await press(other, "v");
  assert.deepEqual(await sources(other), ["b1", 'console.log("from A")', "keep"]);
  await cells(other).nth(1).getByTestId("output").getByText("from A").waitFor();
  await other.screenshot({ path: path.join(ARTIFACTS, "cells-pasted-across.png") });
  await saved(other);
  const stored = (await savedNotebook(server, otherFile)).content.cells;
  assert.deepEqual(
    stored.map((c) => [c.cell_type, c.source, c.outputs?.length ?? null]),
    [
      ["code", "b1", 0],
      ["code", 'console.log("from A")', 1],
      ["code", "keep", 0],
    ],
  );
  assert.deepEqual(problems, []);
  await close();
});
