// Autosave with conflict detection (issue #6): two tabs edit one notebook; neither overwrites the
// other silently, and each gets a clear choice.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS, browserSuite, cellInput, newNotebook, openPage, savedNotebook, saveState, typeAtEnd, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

test("two tabs editing one notebook: autosave stops at a conflict and lets each user choose", async () => {
  const server = suite.server();
  const a = await openPage(suite.browser());
  const file = await newNotebook(a.page, server);
  await typeAtEnd(a.page, "const fromA = 1;");
  await saveState(a.page, "Unsaved changes");
  await saveState(a.page, "Saved"); // autosave, no Ctrl-S
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const fromA = 1;");

  const b = await openPage(suite.browser());
  await b.page.goto(`${server.url}?token=${server.token}`);
  await b.page.goto(`${server.url}notebooks/${file}`);
  await waitForIdle(b.page);
  assert.equal(await cellInput(b.page).textContent(), "const fromA = 1;");

  await typeAtEnd(a.page, " // A again");
  await a.page.keyboard.press("Control+s");
  await saveState(a.page, "Saved");

  // B's autosave finds A's newer version: it does not write, and asks.
  await typeAtEnd(b.page, " // B");
  await saveState(b.page, "Not saved: changed elsewhere");
  const conflict = b.page.getByRole("alertdialog", { name: "Save conflict" });
  await conflict.waitFor();
  await b.page.screenshot({ path: path.join(ARTIFACTS, "conflict-shown.png") });
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const fromA = 1; // A again", "nothing was overwritten");

  await conflict.getByRole("button", { name: "Overwrite with my version" }).click();
  await saveState(b.page, "Saved");
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const fromA = 1; // B");

  // A saves next and is asked in turn; A takes B's version.
  await typeAtEnd(a.page, " // A late");
  await a.page.keyboard.press("Control+s");
  const conflictA = a.page.getByRole("alertdialog", { name: "Save conflict" });
  await conflictA.waitFor();
  await conflictA.getByRole("button", { name: "Load their version (discard mine)" }).click();
  await saveState(a.page, "Saved");
  assert.equal(await cellInput(a.page).textContent(), "const fromA = 1; // B");
  assert.equal(await conflictA.count(), 0);
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const fromA = 1; // B");

  // The server's 409 to a conflicting save is the browser's "failed to load resource"; nothing else may be.
  assert.deepEqual(
    [...a.problems, ...b.problems].filter((p) => !p.includes("status of 409")),
    [],
  );
  await a.page.close();
  await b.page.close();
});
