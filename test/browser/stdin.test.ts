// stdin in the browser (issue #6): `await input()` shows an inline text box in the cell's output.

import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();

test("input() asks in the output area; Enter answers and the run goes on with the answer; passwords stay hidden", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());

  await page.keyboard.press("Enter");
  await page.keyboard.type('const name = await input("Sample name: ");\nname.toUpperCase()');
  await page.keyboard.press("Control+Enter");

  const cell = page.getByTestId("cell").nth(0);
  const box = cell.getByRole("textbox", { name: "Sample name:" });
  await box.waitFor({ timeout: 30_000 });
  assert.equal(await box.getAttribute("type"), "text");
  await box.fill("lysozyme");
  await box.press("Enter");

  const output = cell.getByTestId("output");
  // A regex: getByText with a string ignores case and would match the echoed "lysozyme" too.
  await output.getByText(/LYSOZYME/).waitFor({ timeout: 30_000 });
  await output.getByText("Sample name: lysozyme").waitFor();
  assert.equal(await cell.getByRole("textbox", { name: "Sample name:" }).count(), 0, "the prompt is answered");

  // A password prompt hides what is typed, and its echo too.
  await cell.getByRole("textbox", { name: "Cell 1 input" }).click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type('(await input("Pass: ", { password: true })).length');
  await page.keyboard.press("Control+Enter");
  const secret = cell.locator('input[type="password"][aria-label="Pass: "]');
  await secret.waitFor({ timeout: 30_000 });
  await secret.fill("hunter2");
  await secret.press("Enter");
  await output.getByText("7", { exact: true }).waitFor({ timeout: 30_000 });
  await output.getByText("Pass: ········").waitFor();
  assert.equal(await output.getByText(/hunter2/).count(), 0);
  assert.deepEqual(problems, []);
});
