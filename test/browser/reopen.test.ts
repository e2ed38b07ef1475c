// Nothing lost (issue #6): close the page while a cell runs; the server keeps recording its output;
// reopening shows everything printed meanwhile, once, then follows the rest live; the server's
// runner stores it (issue 11).

import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ARTIFACTS, browserSuite, newNotebookWithCode, openNotebookPage, openPage, savedNotebook } from "../support/notebook-page.ts";
import type { RunningServer } from "../support/server.ts";

const suite = browserSuite();

async function api<T>(server: RunningServer, route: string): Promise<T> {
  const res = await fetch(`${server.url}${route}`, { headers: { Authorization: `token ${server.token}` } });
  if (!res.ok) throw new Error(`GET ${route}: ${res.status}`);
  return (await res.json()) as T;
}

async function journalText(server: RunningServer, file: string): Promise<string> {
  const sessions = await api<{ path: string; kernel: { id: string } }[]>(server, "api/sessions");
  const kernel = sessions.find((s) => s.path === file)!.kernel.id;
  const { executions } = await api<{ executions: { messages: { content: { text?: string } }[] }[] }>(server, `api/lightbook/kernels/${kernel}/executions`);
  return executions.flatMap((e) => e.messages.map((m) => m.content.text ?? "")).join("");
}

const TICKS = Array.from({ length: 8 }, (_, i) => `tick ${i + 1}\n`).join("");

test("a run continues while its page is closed; reopening shows all of its output and follows it to the end", async () => {
  const server = suite.server();
  const go = path.join(await mkdtemp(path.join(tmpdir(), "lightbook-reopen-")), "go");
  const first = await openPage(suite.browser());
  const file = await newNotebookWithCode(
    first.page,
    server,
    // After tick 4 the run waits for the test to have seen the reopened page follow it: on a loaded
    // machine a page may take longer to open than the rest of a run on a timer.
    `const { existsSync } = process.getBuiltinModule("node:fs");\nfor (let i = 1; i <= 8; i++) {\n  console.log("tick " + i);\n  while (i === 4 && !existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 50));\n  await new Promise((r) => setTimeout(r, 1000));\n}`,
  );
  await first.page.getByRole("textbox", { name: "Cell 1 input" }).click();
  await first.page.keyboard.press("Control+Enter");
  await first.page.getByTestId("output").first().getByText("tick 2").waitFor({ timeout: 30_000 });
  await first.page.close();

  // Printed while no page is open.
  for (let i = 0; i < 100 && !(await journalText(server, file)).includes("tick 4"); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(await journalText(server, file), /tick 4/);

  const again = await openNotebookPage(suite.browser(), server, file);
  const cell = again.page.getByTestId("cell").first();
  await cell.getByTestId("output").getByText("tick 4").waitFor({ timeout: 30_000 });
  await cell.getByTestId("execution-count").filter({ hasText: "[*]:" }).waitFor();
  await again.page.screenshot({ path: path.join(ARTIFACTS, "reopen-running.png") });
  await writeFile(go, "");
  await cell.getByTestId("execution-count").filter({ hasText: "[1]:" }).waitFor({ timeout: 30_000 });
  assert.equal(await cell.getByTestId("output").textContent(), TICKS, "every line once, in order");

  await again.page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor({ timeout: 30_000 });
  const saved = (await savedNotebook(server, file)).content.cells[0] as unknown as { outputs: { text: string }[]; execution_count: number };
  assert.equal(saved.outputs[0]!.text, TICKS, "the stored notebook holds what ran while the page was closed");
  assert.equal(saved.execution_count, 1);
  assert.deepEqual(again.problems, []);
  await again.page.close();
});
