import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunModel } from "../../contracts/runs.ts";
import type { RunsClient } from "../../kernel/workflow/client.ts";
import { Workflow } from "../../kernel/workflow/map.ts";
import { progressBundle } from "../../kernel/workflow/progress.ts";
import { runFixture } from "../support/run-model.ts";

function runModel(over: Partial<RunModel> = {}): RunModel {
  return runFixture({
    id: "11111111-2222-3333-4444-555555555555",
    name: "t",
    counts: { total: 10, queued: 5, running: 2, succeeded: 3, failed: 0, cancelled: 0 },
    ...over,
  });
}

const noDisplay = { show: () => undefined, update: () => undefined };
/** A client whose event socket never opened: map follows the run by long polling alone. */
const noEvents = () => ({ live: false, ready: Promise.resolve(), ended: undefined, wait: async () => undefined, close: () => undefined });

test("map rejects with a clear message, never hangs, when the server stops answering", async () => {
  let gets = 0;
  const client = {
    apiUrl: "http://127.0.0.1:9/",
    submit: async () => runModel(),
    get: async () => {
      gets += 1;
      if (gets === 1) return runModel();
      throw new TypeError("fetch failed: ECONNREFUSED");
    },
    cancel: async () => undefined,
    events: noEvents,
  } as unknown as RunsClient;
  const wf = new Workflow({ client: async () => client, display: noDisplay, cellSignal: () => undefined });
  const t0 = Date.now();
  await assert.rejects(
    wf.map([1, 2, 3], "noop", {}, { serverTimeoutMs: 800 }),
    /lost contact with the Lightbook server at http:\/\/127\.0\.0\.1:9\/ for 1 s .*ECONNREFUSED.*workflow\.follow\('11111111-/,
  );
  assert.ok(Date.now() - t0 < 5000);
});

test("aborting the signal cancels the run on the server and rejects as an interrupt", async () => {
  const cancelled: string[] = [];
  let state: RunModel["state"] = "running";
  const client = {
    apiUrl: "http://x/",
    submit: async () => runModel(),
    get: async () => runModel({ state }),
    cancel: async (id: string) => {
      cancelled.push(id);
      state = "cancelled";
    },
    events: noEvents,
  } as unknown as RunsClient;
  const controller = new AbortController();
  const wf = new Workflow({ client: async () => client, display: noDisplay, cellSignal: () => controller.signal });
  const p = wf.map(wf.range(10), "sleep");
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(p, { name: "KeyboardInterrupt", message: /was cancelled/ });
  assert.deepEqual(cancelled, ["11111111-2222-3333-4444-555555555555"]);
});

test("the progress display says done, failed, running, rate and ETA", () => {
  const b = progressBundle("frame-sum", runModel({ counts: { total: 100, queued: 50, running: 8, succeeded: 40, failed: 2, cancelled: 0 } }), 20, 3000);
  assert.equal(b["text/plain"], "frame-sum: 40/100 done · 2 failed · 8 running · 20 tasks/s · ETA 2.9 s");
  assert.match(b["text/html"]!, /<progress value="42" max="100"/);
  assert.match(b["text/html"]!, new RegExp(`<a href="/runs/${runModel({}).id}">tasks</a>`), "a link to the run's page");
  const done = progressBundle(
    "x",
    runModel({ state: "failed", error: "1 of 2 tasks failed; <b>", counts: { total: 2, queued: 0, running: 0, succeeded: 1, failed: 1, cancelled: 0 } }),
    0,
    61_000,
  );
  assert.match(done["text/plain"]!, /failed in 1 min 1 s\n1 of 2 tasks failed/);
  assert.match(done["text/html"]!, /tasks failed; &lt;b&gt;/, "the error is escaped");
});
