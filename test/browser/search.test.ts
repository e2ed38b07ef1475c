// Find and replace across the notebook (issue #16 item 4): Ctrl-F finds in every cell's source and,
// if asked, in outputs; Enter steps through the matches (a rendered markdown cell opens to show its
// match); Ctrl-H replaces one match or all of them in the sources, never in outputs.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, cellInput, newNotebook, openPage, savedNotebook } from "../support/notebook-page.ts";

const suite = browserSuite();

const cells = (page: Page) => page.getByTestId("cell");

async function press(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

const count = (page: Page, text: string) =>
  page
    .getByTestId("search-count")
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor();

/** How many ranges the search paints (the editors' and outputs' own text). */
const painted = (page: Page) => page.evaluate(() => CSS.highlights.get("notebook-search")?.size ?? 0);

test("Ctrl-F finds across cells and outputs, Enter steps through them; Ctrl-H replaces one, then all", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  await press(page, "Enter");
  await page.keyboard.type("const energy = 12.4;");
  await press(page, "Escape", "b", "Enter");
  await page.keyboard.type('console.log("energy in keV")');
  await press(page, "Control+Enter");
  await cells(page).nth(1).getByTestId("output").getByText("energy in keV").waitFor({ timeout: 30_000 });
  await press(page, "b", "m", "Enter");
  await page.keyboard.type("# Energy scan");
  await press(page, "Control+Enter");
  await page.getByRole("heading", { name: "Energy scan" }).waitFor();

  // Ctrl-F in command mode opens the bar with the keyboard in it.
  await press(page, "Control+f");
  await page.getByRole("search", { name: "Find in notebook" }).waitFor();
  await page.keyboard.type("energy");
  await count(page, "1 of 3");
  assert.equal(await painted(page), 2, "the rendered markdown cell has no editor to paint in");
  await press(page, "Enter");
  await count(page, "2 of 3");
  assert.equal(await cells(page).nth(1).getAttribute("data-selected"), "true", "the match's cell is selected");
  // The third match is in the rendered markdown cell: it opens its source to show it.
  await press(page, "Enter");
  await count(page, "3 of 3");
  await cellInput(page, 3).waitFor();
  assert.equal(await painted(page), 3);
  await page.getByRole("checkbox", { name: "In outputs" }).check();
  await count(page, "3 of 4");
  assert.equal(await painted(page), 4);
  await page.screenshot({ path: path.join(ARTIFACTS, "search-notebook.png") });
  // With "In outputs" the output's match comes before the next cell's; Shift-Enter in the field goes back.
  await page.getByRole("searchbox", { name: "Find" }).click();
  await press(page, "Shift+Enter");
  await count(page, "2 of 4");

  // Ctrl-H adds the replace field; with Match case "Energy" is left alone, and outputs are never replaced.
  await press(page, "Control+h");
  await page.getByRole("checkbox", { name: "Match case" }).check();
  await count(page, "2 of 3");
  await page.getByRole("textbox", { name: "Replace with" }).fill("photonEnergy");
  await page.getByRole("button", { name: "Replace", exact: true }).click();
  await count(page, "2 of 2");
  await page.getByRole("button", { name: "Replace all" }).click();
  await count(page, "1 of 1");
  await page.screenshot({ path: path.join(ARTIFACTS, "search-replaced.png") });
  assert.equal(await cellInput(page, 1).textContent(), "const photonEnergy = 12.4;");
  assert.equal(await cellInput(page, 2).textContent(), 'console.log("photonEnergy in keV")');
  await cells(page).nth(1).getByTestId("output").getByText("energy in keV").waitFor();

  // Esc closes the bar, clears the paint and goes back to command mode.
  await page.getByRole("searchbox", { name: "Find" }).focus();
  await press(page, "Escape");
  await page.getByRole("search").waitFor({ state: "detached" });
  assert.equal(await painted(page), 0);
  await page.getByTestId("notebook-mode").filter({ hasText: "Command" }).waitFor();

  await press(page, "Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const saved = (await savedNotebook(server, file)).content.cells;
  assert.deepEqual(
    saved.map((c) => c.source),
    ["const photonEnergy = 12.4;", 'console.log("photonEnergy in keV")', "# Energy scan"],
  );
  assert.deepEqual(problems, []);
  await page.close();
});
