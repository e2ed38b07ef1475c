// A whole notebook session driven by Jupyter's keyboard model only (issue #6).

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage, savedNotebook, waitForIdle } from "../support/notebook-page.ts";

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

/** Presses the keys, the last of them Enter, and waits for its editor to have the focus before anything is typed. */
async function pressToEdit(page: Page, ...keys: string[]): Promise<void> {
  await press(page, ...keys);
  await expectMode(page, "Edit");
}

/** A new notebook whose first cell, typed and run by keyboard, has printed `text`. */
async function notebookWithPrintingCell(text: string) {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  await pressToEdit(page, "Enter");
  await page.keyboard.type(`console.log("${text}")`);
  await press(page, "Control+Enter");
  const first = cells(page).nth(0);
  await first.getByTestId("output").getByText(text).waitFor({ timeout: 30_000 });
  return { server, page, problems, file, first };
}

test("a notebook session by keyboard alone: modes, run variants, insert, delete and undo, change type, navigate, save", async () => {
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, suite.server());

  // The notebook opens in command mode on its first cell; Enter edits it.
  await expectMode(page, "Command");
  await pressToEdit(page, "Enter");
  await page.keyboard.type("const xs = [1, 2, 3];\nxs.length");
  await press(page, "Shift+Enter");
  const first = cells(page).nth(0);
  await first.getByTestId("output").getByText("3", { exact: true }).waitFor({ timeout: 30_000 });
  await first.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor();
  await first
    .getByTestId("cell-timing")
    .filter({ hasText: /^\d+(\.\d+)? (ms|s)$/ })
    .waitFor();

  // Shift-Enter on the last cell added one, in edit mode.
  await expectMode(page, "Edit");
  await page.keyboard.type('console.log("second")');
  await press(page, "Escape");
  await expectMode(page, "Command");

  // A inserts above, M makes it markdown, Enter edits, Shift-Enter renders and moves on.
  await pressToEdit(page, "a", "m", "Enter");
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
  await pressToEdit(page, "b", "Enter");
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
  await pressToEdit(page, "Enter");
  await page.keyboard.type('"one"');
  await press(page, "Escape");
  await expectMode(page, "Command");
  await pressToEdit(page, "b", "Enter");
  await page.keyboard.type('"two"');
  await press(page, "Escape");
  await expectMode(page, "Command");
  await pressToEdit(page, "b", "Enter");
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

test("JupyterLab's other command-mode keys: O, L / Shift-L, 1–6, H, I I, 0 0 (confirmed)", async () => {
  const { server, page, problems, file, first } = await notebookWithPrintingCell("visible");
  await pressToEdit(page, "b", "Enter");
  await page.keyboard.type("Results\nline two");
  await press(page, "Escape", "k");
  await expectMode(page, "Command");

  // O hides the output (saved as JupyterLab's outputs_hidden) and shows it again.
  await press(page, "o");
  await first.getByTestId("output").filter({ hasText: "Output hidden (1 item)" }).waitFor();
  assert.equal(await first.getByTestId("output").getByText("visible").count(), 0);
  await press(page, "Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const { jupyter, collapsed } = (await savedNotebook(server, file)).content.cells[0]!.metadata;
  assert.deepEqual({ jupyter, collapsed }, { jupyter: { outputs_hidden: true }, collapsed: true });
  await press(page, "o");
  await first.getByTestId("output").getByText("visible").waitFor();

  // L: line numbers in this cell; Shift-L: in all cells, then in none.
  const gutters = (i: number) => cells(page).nth(i).locator(".cm-lineNumbers");
  await press(page, "l");
  await gutters(0).waitFor();
  assert.equal(await gutters(1).count(), 0);
  await press(page, "l");
  await gutters(0).waitFor({ state: "detached" });
  await press(page, "Shift+L");
  await gutters(0).waitFor();
  await gutters(1).getByText("2", { exact: true }).waitFor();
  await press(page, "Shift+L");
  await gutters(1).waitFor({ state: "detached" });

  // 2: the cell becomes markdown with a level-2 heading on its first line.
  await press(page, "j", "2");
  assert.deepEqual(await cellTypes(page), ["code", "markdown"]);
  assert.equal(await page.getByRole("textbox", { name: "Cell 2 input" }).innerText(), "## Results\nline two");
  await press(page, "Control+Enter");
  await page.getByRole("heading", { name: "Results", level: 2 }).waitFor();
  await press(page, "k");

  // H lists every binding; Esc closes it and leaves command mode where it was.
  await press(page, "h");
  const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await help.waitFor();
  for (const keys of ["D D", "0 0", "I I", "1 … 6", "L / Shift-L", "O", "Shift-Enter", "Ctrl-S"]) await help.getByText(keys, { exact: true }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "keyboard-help.png") });
  await press(page, "Escape");
  await help.waitFor({ state: "detached" });
  await press(page, "j");
  assert.equal(await selectedIndex(page), 1, "the keys act on the cells again");
  await press(page, "k");

  // I I interrupts a run; one I alone does not.
  await pressToEdit(page, "Enter");
  await press(page, "Control+a");
  // The await lets the printed line out before the loop holds the kernel.
  await page.keyboard.type('console.log("looping");\nawait new Promise((r) => setTimeout(r, 100));\nwhile (true) {}');
  await press(page, "Control+Enter");
  await first.getByTestId("output").getByText("looping").waitFor({ timeout: 30_000 });
  await press(page, "i", "j", "k", "i");
  assert.equal(await first.getByTestId("execution-count").textContent(), "[*]:", "I, J, K, I is not I I");
  await press(page, "i", "i");
  await first.getByTestId("execution-count").filter({ hasText: "[2]:" }).waitFor({ timeout: 30_000 });
  await waitForIdle(page);

  // 0 0 asks before restarting; Cancel (Esc) keeps the kernel, Restart restarts it.
  await press(page, "0", "0");
  const restart = page.getByRole("dialog", { name: "Restart kernel?" });
  await restart.waitFor();
  await press(page, "Escape");
  await restart.waitFor({ state: "detached" });
  await pressToEdit(page, "Enter");
  await press(page, "Control+a");
  await page.keyboard.type("typeof beamOn");
  await press(page, "Control+Enter");
  await first.getByTestId("execution-count").filter({ hasText: "[3]:" }).waitFor({ timeout: 30_000 });
  await press(page, "0", "0");
  await restart.getByRole("button", { name: "Restart" }).click();
  await restart.waitFor({ state: "detached" });
  await waitForIdle(page);
  await press(page, "Control+Enter");
  await first.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor({ timeout: 30_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test("the bar beside a cell's input or output hides and shows it, as JupyterLab's collapsers", async () => {
  const { server, page, problems, file, first } = await notebookWithPrintingCell("shown");
  await page.getByRole("button", { name: "Hide cell 1 input" }).click();
  await first.getByTestId("input-hidden").waitFor();
  assert.equal(await page.getByRole("textbox", { name: "Cell 1 input" }).count(), 0);
  await page.getByRole("button", { name: "Hide cell 1 output" }).click();
  await first.getByTestId("output").filter({ hasText: "Output hidden" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "collapsed-cell.png") });
  await press(page, "Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const { jupyter, collapsed } = (await savedNotebook(server, file)).content.cells[0]!.metadata;
  assert.deepEqual({ jupyter, collapsed }, { jupyter: { source_hidden: true, outputs_hidden: true }, collapsed: true });
  await page.getByRole("button", { name: "Show cell 1 input" }).click();
  await page.getByRole("button", { name: "Show cell 1 output" }).click();
  assert.equal(await page.getByRole("textbox", { name: "Cell 1 input" }).textContent(), 'console.log("shown")');
  await first.getByTestId("output").getByText("shown").waitFor();

  // Clear ▸ Clear cell output / Clear all outputs, as JupyterLab: outputs and counts go, the source stays.
  await first.getByTestId("execution-count").click();
  await pressToEdit(page, "b", "Enter");
  await page.keyboard.type('"second"');
  await press(page, "Control+Enter");
  const second = cells(page).nth(1);
  await second.getByTestId("output").getByText("second").waitFor({ timeout: 30_000 });
  await page.getByText("Clear", { exact: true }).click();
  await page.getByRole("button", { name: "Clear cell output" }).click();
  assert.equal(await second.getByTestId("output-item").count(), 0);
  assert.equal(await second.getByTestId("execution-count").textContent(), "[ ]:");
  assert.equal(await first.getByTestId("output-item").count(), 1, "only the selected cell was cleared");
  // The menu closed after the first choice.
  await page.getByRole("button", { name: "Clear all outputs" }).waitFor({ state: "hidden" });
  await page.getByText("Clear", { exact: true }).click();
  await page.getByRole("button", { name: "Clear all outputs" }).click();
  assert.equal(await first.getByTestId("output-item").count(), 0);
  await press(page, "Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const saved = (await savedNotebook(server, file)).content.cells as unknown as { source: string; outputs: unknown[]; execution_count: number | null }[];
  assert.deepEqual(
    saved.map((c) => [c.source, c.outputs.length, c.execution_count]),
    [
      ['console.log("shown")', 0, null],
      ['"second"', 0, null],
    ],
  );
  assert.deepEqual(problems, []);
  await page.close();
});
