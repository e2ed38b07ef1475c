// Revisions in the editor (issue 11 item 2, issue 16 item 6): two pages saving one notebook merge
// by cell id, the server's 409 opens the conflict dialog when they changed the same cell, and the
// Revisions menu restores an earlier revision.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { RunningServer } from "../support/server.ts";
import { ARTIFACTS, browserSuite, cellInput, openNotebookPage, savedNotebook, saveState, typeAtEnd, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

/** Writes a notebook of code cells straight through the contents API (no If-Match: as any Jupyter client). */
async function putNotebook(server: RunningServer, file: string, sources: string[]): Promise<void> {
  const cells = sources.map((source, i) => ({ id: `cell-${i + 1}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null }));
  const content = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } }, cells };
  const res = await fetch(`${server.url}api/contents/${encodeURIComponent(file)}`, {
    method: "PUT",
    headers: { Authorization: `token ${server.token}` },
    body: JSON.stringify({ type: "notebook", format: "json", content }),
  });
  assert.ok(res.ok, `PUT ${file}: ${res.status}`);
}

const sources = async (server: RunningServer, file: string) => (await savedNotebook(server, file)).content.cells.map((c) => c.source);

test("two pages: edits of different cells merge; the same cell gets the server's conflict, naming it", async () => {
  const server = suite.server();
  const file = "shared.ipynb";
  await putNotebook(server, file, ["let a = 1;", "let b = 1;"]);
  const a = await openNotebookPage(suite.browser(), server, file);
  const b = await openNotebookPage(suite.browser(), server, file);
  await Promise.all([waitForIdle(a.page), waitForIdle(b.page)]);

  await typeAtEnd(a.page, " // A", 1);
  await a.page.keyboard.press("Control+s");
  await saveState(a.page, "Saved");
  // B's base is older than A's save, but B changed another cell: the server merges, and B shows A's edit.
  await typeAtEnd(b.page, " // B", 2);
  await b.page.keyboard.press("Control+s");
  await saveState(b.page, "Saved");
  assert.deepEqual(await sources(server, file), ["let a = 1; // A", "let b = 1; // B"]);
  await cellInput(b.page, 1).filter({ hasText: "let a = 1; // A" }).waitFor();

  // Now both change cell 1: A first, then B, whose save the server refuses.
  await typeAtEnd(a.page, " again", 1);
  await a.page.keyboard.press("Control+s");
  await saveState(a.page, "Saved");
  await typeAtEnd(b.page, " // B too", 1);
  await b.page.keyboard.press("Control+s");
  await saveState(b.page, "Not saved: changed elsewhere");
  const conflict = b.page.getByRole("alertdialog", { name: "Save conflict" });
  await conflict.filter({ hasText: "cell 1 (its source)" }).waitFor();
  await b.page.screenshot({ path: path.join(ARTIFACTS, "revisions-conflict.png") });
  assert.deepEqual(await sources(server, file), ["let a = 1; // A again", "let b = 1; // B"], "nothing was overwritten");

  await conflict.getByRole("button", { name: "Overwrite with my version" }).click();
  await saveState(b.page, "Saved");
  assert.deepEqual(await sources(server, file), ["let a = 1; // A // B too", "let b = 1; // B"]);

  // The server's 409 is the browser's "failed to load resource"; nothing else may be.
  assert.deepEqual(
    [...a.problems, ...b.problems].filter((p) => !p.includes("status of 409")),
    [],
  );
  await a.page.close();
  await b.page.close();
});

test("the Revisions menu lists revisions and restores an earlier one into the editor", async () => {
  const server = suite.server();
  const file = "history.ipynb";
  await putNotebook(server, file, ["const version = 1;"]);
  await putNotebook(server, file, ["const version = 2;"]);
  const { page, problems } = await openNotebookPage(suite.browser(), server, file);
  await waitForIdle(page);
  await cellInput(page).filter({ hasText: "const version = 2;" }).waitFor();

  await page.getByRole("button", { name: "Revisions" }).click();
  const dialog = page.getByRole("dialog", { name: "Revisions" });
  const rows = dialog.getByTestId("revision-row");
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  assert.match((await rows.nth(0).textContent()) ?? "", /Saved.*current/);
  await page.screenshot({ path: path.join(ARTIFACTS, "revisions-menu.png") });
  await rows.nth(1).getByRole("button", { name: "Restore…" }).click();
  await dialog.getByTestId("restore-confirm").getByRole("button", { name: "Restore" }).click();
  await dialog.waitFor({ state: "detached" });

  await cellInput(page).filter({ hasText: "const version = 1;" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "revisions-restored.png") });
  assert.deepEqual(await sources(server, file), ["const version = 1;"]);
  await saveState(page, "Saved");

  // The restore is itself a revision, newest in the list; the replaced one stays.
  await page.getByRole("button", { name: "Revisions" }).click();
  await rows.nth(2).waitFor();
  assert.match((await rows.nth(0).textContent()) ?? "", /Restored/);
  assert.deepEqual(problems, []);
  await page.close();
});
