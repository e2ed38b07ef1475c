// stdin in the browser (issue #6): `await input()` shows an inline text box in the cell's output.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS, browserSuite, newNotebook, newNotebookWithCode, openNotebookPage, openPage, waitForIdle } from "../support/notebook-page.ts";

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

test("a prompt shows in every tab on the kernel; the one answered in another tab ends in both", async () => {
  const server = suite.server();
  const a = await openPage(suite.browser());
  const file = await newNotebookWithCode(a.page, server, 'console.log("before");\nconst who = await input("Operator: ");\nconsole.log("hello " + who);');

  const b = await openNotebookPage(suite.browser(), server, file);
  await waitForIdle(b.page);

  await a.page.getByRole("textbox", { name: "Cell 1 input" }).click();
  await a.page.keyboard.press("Control+Enter");
  const ownPrompt = a.page.getByTestId("cell").first().getByRole("textbox", { name: "Operator:" });
  await ownPrompt.waitFor({ timeout: 30_000 });
  const watched = b.page.getByTestId("cell").first();
  const box = watched.getByRole("textbox", { name: "Operator:" });
  await box.waitFor({ timeout: 30_000 });
  // The watched run's outputs are batched for a few milliseconds, so its stream may land just after the prompt.
  await watched.getByTestId("output").getByText("before").waitFor({ timeout: 10_000 });
  assert.equal(await watched.getByTestId("output").textContent(), "before\nOperator: ", "what the run printed shows above the prompt");
  await b.page.screenshot({ path: path.join(ARTIFACTS, "stdin-other-tab.png") });
  await box.fill("Ada");
  await box.press("Enter");

  for (const page of [a.page, b.page]) {
    const output = page.getByTestId("cell").first().getByTestId("output");
    await output.getByText("hello Ada").waitFor({ timeout: 30_000 });
    assert.equal(await output.textContent(), "before\nOperator: Ada\nhello Ada\n");
    assert.equal(await output.getByRole("textbox").count(), 0, "no prompt is left open");
  }
  assert.equal(await ownPrompt.count(), 0);
  assert.equal(await b.page.getByTestId("save-state").textContent(), "Saved", "answering another's run does not make this copy unsaved");
  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.page.close();
  await b.page.close();
});

test("a page opened while a run waits for input shows the prompt with what the run printed, and answers it", async () => {
  const server = suite.server();
  const a = await openPage(suite.browser());
  const file = await newNotebookWithCode(
    a.page,
    server,
    'console.log("calibrated");\nconst energy = await input("Energy (keV): ");\nconsole.log("set " + energy);',
  );
  await a.page.keyboard.press("Control+Enter");
  await a.page.getByRole("textbox", { name: "Energy (keV):" }).waitFor({ timeout: 30_000 });
  await a.page.close();

  const b = await openNotebookPage(suite.browser(), server, file);
  const output = b.page.getByTestId("cell").first().getByTestId("output");
  const box = output.getByRole("textbox", { name: "Energy (keV):" });
  await box.waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "calibrated\nEnergy (keV): ");
  await box.fill("12.4");
  await box.press("Enter");
  await output.getByText("set 12.4").waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "calibrated\nEnergy (keV): 12.4\nset 12.4\n");
  assert.deepEqual([...a.problems, ...b.problems], []);
  await b.page.close();
});
