// Nothing typed is lost by leaving (issue 16): an edit made just before a header link, a reload or
// closing the tab is written on the way out; when it cannot be, the browser asks first.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { browserSuite, cellInput, newNotebook, newNotebookWithCode, openNotebookPage, openPage, savedNotebook, waitForIdle } from "../support/notebook-page.ts";
import type { RunningServer } from "../support/server.ts";
import { api, waitFor } from "../support/workflow.ts";

const suite = browserSuite();

async function typeInFirstCell(page: Page, text: string): Promise<void> {
  await cellInput(page).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
  // Within the autosave delay: the edit is not written yet when the page is left.
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Unsaved changes$/ })
    .waitFor();
}

async function savedSource(server: RunningServer, file: string, expected: string): Promise<void> {
  let last = "";
  await waitFor(
    async () => (last = (await savedNotebook(server, file)).content.cells[0]!.source) === expected,
    30_000,
    () => `the contents API has ${JSON.stringify(last)}, not ${JSON.stringify(expected)}`,
  );
}

async function reopenShows(server: RunningServer, file: string, expected: string): Promise<void> {
  const { page, problems } = await openNotebookPage(suite.browser(), server, file);
  await waitForIdle(page);
  assert.equal(await cellInput(page).textContent(), expected);
  assert.deepEqual(problems, []);
  await page.close();
}

test("an edit followed at once by a header link is saved", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  await typeInFirstCell(page, "const beam = 'on';");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.waitForURL(/\/runs$/);
  await savedSource(server, file, "const beam = 'on';");
  await reopenShows(server, file, "const beam = 'on';");
  assert.deepEqual(problems, []);
  await page.close();
});

test("an edit followed at once by a reload is saved and shown after it", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  await typeInFirstCell(page, "const energy = 12.4;");
  await page.reload();
  await savedSource(server, file, "const energy = 12.4;");
  await reopenShows(server, file, "const energy = 12.4;");
  assert.deepEqual(problems, []);
  await page.close();
});

test("an edit followed at once by closing the tab is saved", async () => {
  const server = suite.server();
  const { page } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  let asked = false;
  page.on("dialog", (d) => void ((asked = true), d.accept()));
  await typeInFirstCell(page, "const closed = true;");
  await page.close({ runBeforeUnload: true });
  await savedSource(server, file, "const closed = true;");
  assert.equal(asked, false, "nothing to ask: the edit could be written");
  await reopenShows(server, file, "const closed = true;");
});

test("with an unresolved conflict, leaving asks first (reload and header link); staying keeps the edit", async () => {
  const server = suite.server();
  const { page } = await openPage(suite.browser());
  const file = await newNotebookWithCode(page, server, "const mine = 1;");
  // Someone else saves meanwhile; our next save finds it.
  const theirs = await savedNotebook(server, file);
  theirs.content.cells[0]!.source = "const theirs = 1;";
  assert.equal(
    (await api(server, "PUT", `/api/contents/${encodeURIComponent(file)}`, { type: "notebook", format: "json", content: theirs.content })).status,
    200,
  );
  await typeInFirstCell(page, " // more");
  await page.keyboard.press("Control+s");
  await page.getByTestId("save-conflict").waitFor();

  const dialogs: string[] = [];
  page.on("dialog", (d) => void (dialogs.push(d.type()), d.dismiss()));
  // (Chromium's page close from the test runner skips beforeunload, so loading the page again stands for leaving.)
  const reload = await page.goto(page.url()).then(
    () => "reloaded",
    (e: Error) => e.message,
  );
  assert.deepEqual(dialogs, ["beforeunload"]);
  assert.match(reload, /ERR_ABORTED/, "dismissing the warning keeps the page");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await waitFor(
    () => dialogs.length === 2,
    10_000,
    () => "no confirm dialog for the header link",
  );
  assert.equal(dialogs[1], "confirm");
  assert.match(page.url(), /\/notebooks\//, "the link did not navigate");
  assert.equal(await cellInput(page).textContent(), "const mine = 1; // more");
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const theirs = 1;", "their version was not overwritten");
  await page.close();
});
