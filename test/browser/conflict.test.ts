// Autosave with conflict detection (issue #6): two tabs edit one notebook; neither overwrites the
// other silently, and each gets a clear choice.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage, savedNotebook, waitForIdle } from "../support/notebook-page.ts";

const suite = browserSuite();

const saveState = (page: Page, text: string) => page.getByTestId("save-state").filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout: 30_000 });
const firstInput = (page: Page) => page.getByRole("textbox", { name: "Cell 1 input" });

async function typeAtEnd(page: Page, text: string): Promise<void> {
  await firstInput(page).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

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
  assert.equal(await firstInput(b.page).textContent(), "const fromA = 1;");

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
  assert.equal(await firstInput(a.page).textContent(), "const fromA = 1; // B");
  assert.equal(await conflictA.count(), 0);
  assert.equal((await savedNotebook(server, file)).content.cells[0]!.source, "const fromA = 1; // B");

  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.page.close();
  await b.page.close();
});
