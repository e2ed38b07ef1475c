import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");

let server: RunningServer;
let browser: Browser;

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([startServer({ web: true }), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function waitForIdle(page: Page): Promise<void> {
  await page
    .getByTestId("kernel-status")
    .filter({ hasText: /^idle$/ })
    .waitFor({ timeout: 60_000 });
}

test("create a notebook, run a TypeScript cell, save it and reopen it with its output", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => void problems.push(e.message));

  await page.goto(`${server.url}?token=${server.token}`);
  assert.equal(new URL(page.url()).search, "", "the token is dropped from the address");
  await page.getByRole("link", { name: /Welcome\.ipynb/ }).waitFor();

  await page.getByRole("button", { name: "New notebook" }).click();
  await page.waitForURL(/\/notebooks\/Untitled\.ipynb$/);
  await waitForIdle(page);

  const input = page.getByRole("textbox", { name: "Cell 1 input" });
  await input.click();
  await page.keyboard.type('const answer: number = 6 * 7;\nconsole.log("hello beamline");\nanswer');
  await page.keyboard.press("Shift+Enter");

  const outputs = page.getByTestId("cell").first().getByTestId("output");
  await outputs.getByText("hello beamline").waitFor({ timeout: 30_000 });
  await outputs.getByText("42", { exact: true }).waitFor();
  await assert.doesNotReject(page.getByTestId("execution-count").first().filter({ hasText: "[1]:" }).waitFor());
  assert.equal(await page.getByRole("textbox", { name: "Cell 2 input" }).count(), 1, "Shift-Enter added a cell below");

  await page.keyboard.press("Control+s");
  await page.getByTestId("save-state").filter({ hasText: "Saved" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-run.png"), fullPage: true });

  await page.reload();
  await waitForIdle(page);
  const reopened = page.getByTestId("cell").first().getByTestId("output");
  await reopened.getByText("hello beamline").waitFor();
  await reopened.getByText("42", { exact: true }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "notebook-reopened.png"), fullPage: true });

  const saved = await fetch(`${server.url}api/contents/Untitled.ipynb`, { headers: { Authorization: `token ${server.token}` } });
  const nb = ((await saved.json()) as { content: { cells: { source: string; outputs: { output_type: string }[] }[] } }).content;
  assert.match(nb.cells[0]!.source, /const answer: number = 6 \* 7;/);
  assert.deepEqual(
    nb.cells[0]!.outputs.map((o) => o.output_type),
    ["stream", "execute_result"],
  );
  assert.deepEqual(problems, [], "no errors in the browser console");
  await page.close();
});
