// The server stores outputs (issue 11, item 1): a page runs a cell and goes away at once; the
// server's runner stores what the cell printed, and the notebook reopens with it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { browserSuite, cellInput, openNotebookPage, waitForIdle } from "../support/notebook-page.ts";
import { codeCell, executionsWhenSettled, notebookOf, outputText, putNotebook, storedNotebook } from "../support/notebooks.ts";

const suite = browserSuite();

test("a cell run from a page that closes at once has its outputs in the stored notebook, and the reopened page shows them", async () => {
  const server = suite.server();
  const file = "closed-early.ipynb";
  await putNotebook(
    server,
    file,
    notebookOf([{ id: "slow-cell", source: 'await new Promise((r) => setTimeout(r, 1500));\nconsole.log("printed after the page left");\n6 * 7' }]),
  );
  const first = await openNotebookPage(suite.browser(), server, file);
  const cell = first.page.getByTestId("cell").first();
  await waitForIdle(first.page);
  await cellInput(first.page).click();
  await first.page.keyboard.press("Control+Enter");
  await cell.getByTestId("execution-count").filter({ hasText: "[*]:" }).waitFor({ timeout: 30_000 });
  await first.page.close();

  const done = await executionsWhenSettled(server, file);
  assert.deepEqual(
    done.map((e) => [e.cell_id, e.origin, e.status]),
    [["slow-cell", "kernel", "ok"]],
  );
  const stored = codeCell(await storedNotebook(server, file), "slow-cell");
  assert.deepEqual(stored.outputs.map(outputText), ["printed after the page left\n", "42"]);
  assert.equal(stored.execution_count, 1);

  const again = await openNotebookPage(suite.browser(), server, file);
  const reopened = again.page.getByTestId("cell").first();
  await reopened.getByTestId("output").getByText("printed after the page left").waitFor({ timeout: 30_000 });
  await reopened.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor();
  assert.deepEqual(first.problems, []);
  assert.deepEqual(again.problems, []);
  await again.page.close();
});
