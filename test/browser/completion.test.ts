// Help while typing (issue #6): Tab completes from the kernel's complete_reply, Shift-Tab shows its
// inspect_reply, both knowing what earlier cells defined.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();

test("Tab completes a member of an object from an earlier cell; Shift-Tab inspects it", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.getByRole("textbox", { name: "Cell 1 input" }).click();
  await page.keyboard.insertText("const beam = { energyKeV: 12.4, wavelengthOf(keV: number): number { return 12.398 / keV; } };");
  await page.keyboard.press("Shift+Enter");
  await page.getByTestId("execution-count").first().filter({ hasText: "[1]:" }).waitFor({ timeout: 30_000 });

  await page.keyboard.type("beam.ene");
  await page.keyboard.press("Tab");
  const popup = page.locator(".cm-tooltip-autocomplete");
  await popup.getByRole("option", { name: /energyKeV/ }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, "completion-popup.png") });
  // Clicking the option, not Enter: CodeMirror ignores keys for a moment after the popup appears
  // (interactionDelay), which a loaded machine can stretch past the keypress.
  await popup.getByRole("option", { name: /energyKeV/ }).click();
  const input = page.getByRole("textbox", { name: "Cell 2 input" });
  await input.filter({ hasText: /^beam\.energyKeV$/ }).waitFor({ timeout: 10_000 });
  await input.press("End");

  await page.keyboard.type("\nbeam.wavelengthOf");
  await page.keyboard.press("Shift+Tab");
  const tooltip = page.getByTestId("inspect-tooltip");
  await tooltip.waitFor({ timeout: 30_000 });
  assert.match((await tooltip.textContent()) ?? "", /wavelengthOf/);
  assert.match((await tooltip.textContent()) ?? "", /keV: number/);
  await page.screenshot({ path: path.join(ARTIFACTS, "inspect-tooltip.png") });
  await page.keyboard.press("Escape");
  await tooltip.waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("notebook-mode").textContent(), "Edit", "the first Escape only closes the tooltip");

  // Tab at the start of a line still indents.
  await page.keyboard.press("Home");
  await page.keyboard.press("Tab");
  assert.match((await input.textContent()) ?? "", /\s+beam\.wavelengthOf$/);
  assert.deepEqual(problems, []);
  await page.close();
});
