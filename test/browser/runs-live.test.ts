// The run page follows its run on the event stream (issue 11, item 3): a 10,000-task run's rows and
// counts change as its tasks end, without the page reading the run (and its task table) again.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { browserSuite, openPage } from "../support/notebook-page.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, type AgentProcess } from "../support/workflow.ts";

// No local agent: the test's own one is held (SIGSTOP) until the page has loaded the run, so the
// page sees every task queued first. A lost-agent time long enough that holding it is no loss.
const suite = browserSuite({ env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_AGENT_LOST_MS: "600000" } });
const TASKS = 10_000;
let agent: AgentProcess | undefined;
after(() => {
  if (agent) stopProcess(agent.process);
});

test("a 10,000-task run's page applies task events to its table without reloading it", { timeout: 300_000 }, async () => {
  const server = suite.server();
  agent = spawnAgent(server.databaseUrl, "live-agent", { concurrency: 4, env: { LIGHTBOOK_AGENT_LOST_MS: "600000" } });
  await agentReady(agent);
  process.kill(agent.process.pid!, "SIGSTOP");
  // Open, so it does not end (its end would make the page read it once more, for its end time and error).
  const run = await submitRun(server, {
    name: "ui-live",
    open: true,
    recipe: { steps: [{ id: "w", algorithm: "noop", input: { kind: "range", start: 0, stop: TASKS } }] },
  });
  const { page, problems } = await openPage(suite.browser());
  const reads: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === `/api/lightbook/runs/${run.id}`) reads.push(r.url());
  });
  await page.goto(`${server.url}?token=${server.token}`);
  await page.goto(`${server.url}runs/${run.id}`);
  const counts = page.getByTestId("run-counts");
  await counts.filter({ hasText: `0 succeeded · 0 failed · 0 running · ${TASKS} queued of ${TASKS}` }).waitFor({ timeout: 60_000 });
  const rows = page.getByRole("table", { name: "Tasks" }).getByTestId("task-row");
  await rows.first().filter({ hasText: "queued" }).waitFor();
  const readsAtLoad = reads.length;

  process.kill(agent.process.pid!, "SIGCONT");
  await rows.first().filter({ hasText: "succeeded" }).waitFor({ timeout: 60_000 });
  assert.equal(reads.length, readsAtLoad, `the row changed by a new read of the run, not by its events: ${reads.slice(readsAtLoad).join(", ")}`);
  await counts.filter({ hasText: `${TASKS} succeeded · 0 failed · 0 running · 0 queued of ${TASKS}` }).waitFor({ timeout: 240_000 });
  assert.equal(await page.getByRole("progressbar", { name: "Run progress" }).getAttribute("aria-valuenow"), String(TASKS));
  assert.deepEqual(problems, []);
  await page.close();
});
