// Several viewers of one notebook (issue #6): a run started in one tab shows its outputs live in
// another tab on the same kernel, without making that copy unsaved.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS, browserSuite, newNotebookWithCode, openNotebookPage, openPage, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

test("a cell run in one tab streams into the same cell in another tab", async () => {
  const server = suite.server();
  const a = await openPage(suite.browser());
  const file = await newNotebookWithCode(
    a.page,
    server,
    'for (let i = 1; i <= 4; i++) {\n  console.log("tick " + i);\n  await new Promise((r) => setTimeout(r, 700));\n}',
  );

  const b = await openNotebookPage(suite.browser(), server, file);
  await waitForIdle(b.page);

  await a.page.getByRole("textbox", { name: "Cell 1 input" }).click();
  await a.page.keyboard.press("Control+Enter");
  const watched = b.page.getByTestId("cell").first();
  await watched.getByTestId("execution-count").filter({ hasText: "[*]:" }).waitFor({ timeout: 30_000 });
  await watched.getByTestId("output").getByText("tick 1").waitFor({ timeout: 30_000 });
  await watched.getByTestId("output").getByText("tick 4").waitFor({ timeout: 30_000 });
  await watched.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor({ timeout: 30_000 });
  assert.equal(await watched.getByTestId("output").textContent(), "tick 1\ntick 2\ntick 3\ntick 4\n");
  await b.page.screenshot({ path: path.join(ARTIFACTS, "live-second-viewer.png") });
  assert.equal(await b.page.getByTestId("save-state").textContent(), "Saved", "the viewer's copy is not made dirty by someone else's run");
  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.page.close();
  await b.page.close();
});

test("a tab that joins a busy kernel shows it busy until its cell ends", async () => {
  const server = suite.server();
  const a = await openPage(suite.browser());
  const file = await newNotebookWithCode(a.page, server, 'await new Promise((r) => setTimeout(r, 8000));\n"slept"');
  await a.page.keyboard.press("Control+Enter");
  await a.page
    .getByTestId("kernel-status")
    .filter({ hasText: /^busy$/ })
    .waitFor();

  const b = await openNotebookPage(suite.browser(), server, file);
  const status = b.page.getByTestId("kernel-status");
  await status.filter({ hasText: /^busy$/ }).waitFor({ timeout: 30_000 });
  assert.equal(await a.page.getByTestId("cell").first().getByTestId("output").textContent(), "", "the cell is still running");
  await b.page.screenshot({ path: path.join(ARTIFACTS, "live-join-busy.png") });
  await status.filter({ hasText: /^idle$/ }).waitFor({ timeout: 30_000 });
  await b.page.getByTestId("cell").first().getByTestId("output").getByText("slept").waitFor();
  // The tab that ran the cell saves it; the one that joined only shows it, so no save conflicts.
  await a.page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor({ timeout: 30_000 });
  assert.equal(await b.page.getByTestId("save-state").textContent(), "Saved");
  await b.page.waitForTimeout(6000); // longer than autosave's quiet time: a save that was coming has come
  for (const page of [a.page, b.page]) assert.equal(await page.getByRole("alertdialog", { name: "Save conflict" }).count(), 0);
  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.page.close();
  await b.page.close();
});
