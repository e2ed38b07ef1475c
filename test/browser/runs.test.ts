// Runs and agents pages (issues #5 and #6): runs submitted over REST show up with a live task table
// and a timeline, a long run is cancelled from the page, and the server's local agent is listed.

import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";
import { api, submitRun, waitFor } from "../support/workflow.ts";
import type { RunModel } from "../../contracts/runs.ts";

const suite = browserSuite();

function sleepRun(name: string, ms: number, tasks: number) {
  return { name, recipe: { steps: [{ id: "wait", algorithm: "sleep", params: { ms }, input: { kind: "range", start: 0, stop: tasks } }] } };
}

async function signIn(page: Page): Promise<void> {
  const server = suite.server();
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("heading", { name: "Runs" }).waitFor();
}

test("a run submitted over REST is listed, and its page shows every task succeeded on a timeline", async () => {
  const server = suite.server();
  const run = await submitRun(server, sleepRun("ui-sleep", 400, 6));
  const { page, problems } = await openPage(suite.browser());
  await signIn(page);

  const runs = page.getByRole("table", { name: "Runs" });
  await runs.getByRole("link", { name: "ui-sleep" }).click();
  await page.waitForURL(new RegExp(`/runs/${run.id}$`));
  await page.getByRole("heading", { name: /ui-sleep\s+succeeded/ }).waitFor({ timeout: 60_000 });

  const tasks = page.getByRole("table", { name: "Tasks" });
  assert.equal(await tasks.getByTestId("task-row").count(), 6);
  assert.equal(
    await tasks
      .getByTestId("task-row")
      .filter({ hasText: "succeeded" })
      .filter({ hasText: /local-1/ })
      .count(),
    6,
    "every task ran on the local agent",
  );
  assert.equal(await page.getByRole("progressbar", { name: "Run progress" }).getAttribute("aria-valuenow"), "6");
  const timeline = page.getByRole("img", { name: "Task timeline" });
  assert.equal(await timeline.locator("rect.timeline-bar.succeeded").count(), 6, "one bar per task");
  const box = await timeline.locator("rect.timeline-bar").first().boundingBox();
  assert.ok(box && box.width >= 1 && box.height >= 4, `a bar is drawn: ${JSON.stringify(box)}`);
  await page.screenshot({ path: path.join(ARTIFACTS, "runs-detail.png"), fullPage: true });
  await page.getByRole("combobox", { name: "Filter tasks by state" }).selectOption("failed");
  assert.equal(await tasks.getByTestId("task-row").count(), 0);

  await page.getByRole("link", { name: "← Runs" }).click();
  await page.getByRole("combobox", { name: "Filter by state" }).selectOption("failed");
  await page.getByText("No failed runs.").waitFor();
  await page.getByRole("combobox", { name: "Filter by state" }).selectOption("succeeded");
  await runs.getByRole("link", { name: "ui-sleep" }).waitFor();
  assert.equal(await runs.getByRole("progressbar", { name: "Progress of ui-sleep" }).getAttribute("aria-valuenow"), "6");
  await page.screenshot({ path: path.join(ARTIFACTS, "runs-list.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a long run is followed live and cancelled from its page", async () => {
  const server = suite.server();
  const run = await submitRun(server, sleepRun("ui-long", 600_000, 5));
  const { page, problems } = await openPage(suite.browser());
  await signIn(page);
  await page.getByRole("table", { name: "Runs" }).getByRole("link", { name: "ui-long" }).click();
  await page.getByRole("heading", { name: /ui-long\s+running/ }).waitFor({ timeout: 60_000 });
  // The page refreshes on its own: a task it first showed queued is shown running, with a bar.
  const tasks = page.getByRole("table", { name: "Tasks" });
  await tasks.getByTestId("task-row").filter({ hasText: "running" }).first().waitFor({ timeout: 60_000 });
  await page.getByRole("img", { name: "Task timeline" }).locator("rect.timeline-bar.running").first().waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "runs-running.png"), fullPage: true });

  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("heading", { name: /ui-long\s+cancelled/ }).waitFor();
  assert.ok(await page.getByRole("button", { name: "Cancel run" }).isDisabled());
  // Running tasks stop within an agent heartbeat, and the page keeps polling until they have.
  await page
    .getByTestId("run-counts")
    .filter({ hasText: /0 running · 0 queued · 5 cancelled of 5/ })
    .waitFor({ timeout: 30_000 });
  assert.equal(await tasks.getByTestId("task-row").filter({ hasText: "cancelled" }).count(), 5);
  const after = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}`)).body;
  assert.equal(after.state, "cancelled");
  await page.screenshot({ path: path.join(ARTIFACTS, "runs-cancelled.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a failing run shows its failed tasks with their errors", async () => {
  const server = suite.server();
  const source = "(i) => { if (i === 1) throw new Error('detector gap in frame ' + i); return i; }";
  const run = await submitRun(server, {
    name: "ui-poison",
    recipe: { steps: [{ id: "check", source, max_attempts: 1, input: { kind: "range", start: 0, stop: 3 } }] },
  });
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.goto(`${server.url}runs/${run.id}`);
  await page.getByRole("heading", { name: /ui-poison\s+failed/ }).waitFor({ timeout: 60_000 });
  const failed = page.getByRole("table", { name: "Tasks" }).getByTestId("task-row").filter({ hasText: "failed" });
  assert.equal(await failed.count(), 1);
  assert.match((await failed.getByRole("cell").allTextContents()).join(" | "), /^1 \| check \| failed \| 1 \/ 1 \| local-1 .*detector gap in frame 1/);
  await page.getByText(/1 of 3 tasks failed; partition 1: .*detector gap in frame 1/).waitFor();
  assert.equal(await page.getByRole("img", { name: "Task timeline" }).locator("rect.timeline-bar.failed").count(), 1);
  await page.screenshot({ path: path.join(ARTIFACTS, "runs-failed.png"), fullPage: true });
  assert.deepEqual(problems, []);

  await page.goto(`${server.url}runs/00000000-0000-4000-8000-000000000000`);
  await page
    .getByRole("alert")
    .filter({ hasText: /Could not load run .*not found/i })
    .waitFor();
  await page.close();
});

test("a cell's workflow.map links its progress display to the run's page", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.keyboard.press("Enter");
  await page.keyboard.insertText('(await workflow.map(workflow.range(0, 4), "sleep", { ms: 200 }, { name: "cell-sleep" })).length');
  await page.keyboard.press("Control+Enter");
  const output = page.getByTestId("cell").first().getByTestId("output");
  await output.getByText("4", { exact: true }).waitFor({ timeout: 60_000 });
  const [runPage] = await Promise.all([page.waitForEvent("popup"), output.getByRole("link", { name: "tasks" }).click()]);
  await runPage.getByRole("heading", { name: /cell-sleep\s+succeeded/ }).waitFor({ timeout: 30_000 });
  assert.equal(await runPage.getByRole("table", { name: "Tasks" }).getByTestId("task-row").count(), 4);
  assert.deepEqual(problems, []);
  await runPage.close();
  await page.close();
});

test("the agents page lists the server's local agent with its host, cores, finished tasks and restarts", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
  const row = page.getByRole("table", { name: "Agents" }).getByTestId("agent-row").filter({ hasText: "local-1" });
  await row.waitFor();
  let cells: string[] = [];
  // Its counts are as of its last heartbeat.
  await waitFor(
    async () => Number((cells = await row.getByRole("cell").allTextContents())[8]) >= 6,
    30_000,
    () => `the agent does not count the tasks it completed: ${cells.join(" | ")}`,
  );
  assert.equal(cells[1], "running");
  assert.match(cells[2]!, new RegExp(`^${os.hostname()} pid \\d+$`));
  assert.equal(cells[3], String(os.availableParallelism()));
  assert.equal(cells[11], "0", "a local agent shows its restarts");
  await page.screenshot({ path: path.join(ARTIFACTS, "agents.png") });
  assert.deepEqual(problems, []);
  await page.close();
});
