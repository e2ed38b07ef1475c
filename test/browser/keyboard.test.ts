// A whole notebook session driven by Jupyter's keyboard model only (issue #6).

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage, savedNotebook } from "../support/notebook-page.ts";

const suite = browserSuite();

const cells = (page: Page) => page.getByTestId("cell");

async function cellTypes(page: Page): Promise<string[]> {
  return cells(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-cell-type") ?? ""));
}

async function selectedIndex(page: Page): Promise<number> {
  return cells(page).evaluateAll((els) => els.findIndex((el) => el.getAttribute("data-selected") === "true"));
}

async function expectMode(page: Page, mode: "Command" | "Edit"): Promise<void> {
  await page.getByTestId("notebook-mode").filter({ hasText: mode }).waitFor();
}

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

test("a notebook session by keyboard alone: modes, run variants, insert, delete and undo, change type, navigate, save", async () => {
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, suite.server());

  // The notebook opens in command mode on its first cell; Enter edits it.
  await expectMode(page, "Command");
  await press(page, "Enter");
  await expectMode(page, "Edit");
  await page.keyboard.type("const xs = [1, 2, 3];\nxs.length");
  await press(page, "Shift+Enter");
  const first = cells(page).nth(0);
  await first.getByTestId("output").getByText("3", { exact: true }).waitFor({ timeout: 30_000 });
  await first.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor();
  await first.getByTestId("cell-timing").filter({ hasText: /^\d+(\.\d+)? (ms|s)$/ }).waitFor();

  // Shift-Enter on the last cell added one, in edit mode.
  await expectMode(page, "Edit");
  await page.keyboard.type('console.log("second")');
  await press(page, "Escape");
  await expectMode(page, "Command");

  // A inserts above, M makes it markdown, Enter edits, Shift-Enter renders and moves on.
  await press(page, "a", "m", "Enter");
  await page.keyboard.type("# Keyboard notes");
  await press(page, "Shift+Enter");
  await page.getByRole("heading", { name: "Keyboard notes" }).waitFor();
  assert.deepEqual(await cellTypes(page), ["code", "markdown", "code"]);
  assert.equal(await selectedIndex(page), 2, "Shift-Enter selected the next cell");
  await expectMode(page, "Command");

  // Ctrl-Enter runs in place and stays.
  await press(page, "Control+Enter");
  await cells(page).nth(2).getByTestId("output").getByText("second").waitFor({ timeout: 30_000 });
  await cells(page).nth(2).getByTestId("execution-count").filter({ hasText: "[2]:" }).waitFor();
  assert.equal(await selectedIndex(page), 2);

  // B inserts below; D, D deletes; Z brings it back; D, D again.
  await press(page, "b", "Enter");
  await page.keyboard.type("scratch");
  await press(page, "Escape", "d", "d");
  assert.equal(await cells(page).count(), 3);
  await press(page, "z");
  assert.equal(await cells(page).count(), 4);
  assert.equal(await page.getByRole("textbox", { name: "Cell 4 input" }).textContent(), "scratch");
  await press(page, "d", "d");
  assert.equal(await cells(page).count(), 3);

  // K / arrow up / J navigate; Y and M change the type back and forth.
  await press(page, "k");
  assert.equal(await selectedIndex(page), 1);
  await press(page, "y");
  assert.deepEqual(await cellTypes(page), ["code", "code", "code"]);
  await press(page, "m");
  assert.deepEqual(await cellTypes(page), ["code", "markdown", "code"]);
  await press(page, "Shift+Enter");
  await page.getByRole("heading", { name: "Keyboard notes" }).waitFor();
  await press(page, "ArrowUp", "ArrowUp");
  assert.equal(await selectedIndex(page), 0);
  await press(page, "j");
  assert.equal(await selectedIndex(page), 1);
  await press(page, "k");

  // Alt-Enter runs and inserts a cell below, in edit mode; ArrowUp on its first line goes to the cell above.
  await press(page, "Alt+Enter");
  await first.getByTestId("execution-count").filter({ hasText: "[3]:" }).waitFor({ timeout: 30_000 });
  await expectMode(page, "Edit");
  await page.keyboard.type("xs.map((x) => x * 10).join()");
  await press(page, "ArrowUp");
  assert.equal(await selectedIndex(page), 0);
  await expectMode(page, "Edit");
  await press(page, "Escape", "j", "Shift+Enter");
  await cells(page).nth(1).getByTestId("output").getByText("10,20,30").waitFor({ timeout: 30_000 });

  await press(page, "Control+s");
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "keyboard-session.png"), fullPage: true });

  const saved = (await savedNotebook(suite.server(), file)).content.cells;
  assert.deepEqual(
    saved.map((c) => [c.cell_type, c.source]),
    [
      ["code", "const xs = [1, 2, 3];\nxs.length"],
      ["code", "xs.map((x) => x * 10).join()"],
      ["markdown", "# Keyboard notes"],
      ["code", 'console.log("second")'],
    ],
  );
  const timing = saved[0]!.metadata.execution as Record<string, string>;
  assert.ok(Date.parse(timing["shell.execute_reply"]!) >= Date.parse(timing["iopub.execute_input"]!), "per-cell timing is saved as JupyterLab records it");
  assert.deepEqual(problems, [], "no errors in the browser console");
  await page.close();
});

test("Run above and Run below run exactly the cells on their side of the selection", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await press(page, "Enter");
  await page.keyboard.type('"one"');
  await press(page, "Escape", "b", "Enter");
  await page.keyboard.type('"two"');
  await press(page, "Escape", "b", "Enter");
  await page.keyboard.type('"three"');
  await press(page, "Escape", "k");
  await page.getByRole("button", { name: "Run above" }).click();
  await cells(page).nth(0).getByTestId("output").getByText("one").waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Run below" }).click();
  await cells(page).nth(2).getByTestId("output").getByText("three").waitFor({ timeout: 30_000 });
  await cells(page).nth(1).getByTestId("output").getByText("two").waitFor();
  const counts = await page.getByTestId("execution-count").allTextContents();
  assert.deepEqual(counts, ["[1]:", "[2]:", "[3]:"], "cell 1 ran first (above), then cells 2 and 3 (below)");
  assert.deepEqual(problems, []);
  await page.close();
});
