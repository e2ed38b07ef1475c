import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvent } from "../../contracts/events";
import type { TaskModel } from "../../contracts/runs";
import { runFixture } from "../../test/support/run-model";
import { applyRunEvents } from "./runs";

// A run page applies its run's events to the task table it loaded, in place of reading it again.
const RUN = "11111111-2222-4333-8444-555555555555";
const AGENT = "aaaaaaaa-2222-4333-8444-555555555555";
const task = (partition: number, over: Partial<TaskModel> = {}): TaskModel => ({
  partition,
  step: "w",
  input: { kind: "range", start: partition, stop: partition + 1 },
  state: "queued",
  attempt: 0,
  max_attempts: 3,
  agent_id: null,
  agent_name: null,
  created_at: "2026-01-01T00:00:00.000Z",
  started_at: null,
  finished_at: null,
  error: null,
  ...over,
});
const loaded = () =>
  runFixture({
    id: RUN,
    counts: { total: 2, queued: 1, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
    tasks: [task(0, { state: "running", attempt: 1, agent_id: AGENT, agent_name: "local-1" }), task(1)],
  });
let seq = 0;
const ev = (partition: number, state: TaskModel["state"], attempt: number): StreamEvent => ({
  seq: ++seq,
  created: "2026-01-01T00:00:01.000Z",
  kind: "task.state",
  run_id: RUN,
  partition,
  state,
  attempt,
  agent_id: state === "queued" ? null : AGENT,
  error: null,
});

test("task events change their rows and the counts, and need no reload", () => {
  const { run, reload } = applyRunEvents(loaded(), [ev(0, "succeeded", 1), ev(1, "running", 1)]);
  assert.equal(reload, false);
  assert.deepEqual(
    run.tasks!.map((t) => [t.state, t.attempt, t.agent_name]),
    [
      ["succeeded", 1, "local-1"],
      ["running", 1, "local-1"],
    ],
  );
  assert.deepEqual(run.counts, { total: 2, queued: 0, running: 1, succeeded: 1, failed: 0, cancelled: 0 });
  assert.equal(run.tasks![0]!.finished_at, "2026-01-01T00:00:01.000Z");
});

test("an event older than the loaded row changes nothing; a requeue of the same attempt does", () => {
  const before = loaded();
  const stale = applyRunEvents(before, [ev(0, "queued", 0), ev(0, "running", 1)]);
  assert.deepEqual(stale.run.tasks, before.tasks);
  assert.deepEqual(stale.run.counts, before.counts);
  const requeued = applyRunEvents(before, [ev(0, "queued", 1)]);
  assert.equal(requeued.run.tasks![0]!.state, "queued");
  assert.equal(requeued.run.counts.queued, 2);
});

test("tasks added, the run's end, or a task not loaded ask for a reload", () => {
  const added: StreamEvent = { seq: 1, created: "x", kind: "run.tasks", run_id: RUN, step: "w", first: 2, count: 3 };
  assert.equal(applyRunEvents(loaded(), [added]).reload, true);
  const end: StreamEvent = { seq: 2, created: "x", kind: "run.state", run_id: RUN, state: "succeeded", open: false, total: 2 };
  const ended = applyRunEvents(loaded(), [end]);
  assert.equal(ended.reload, true);
  assert.equal(ended.run.state, "succeeded");
  assert.equal(applyRunEvents(loaded(), [ev(7, "running", 1)]).reload, true);
  const other: StreamEvent = { ...ev(0, "succeeded", 1), run_id: AGENT } as StreamEvent;
  assert.deepEqual(applyRunEvents(loaded(), [other]).run.tasks, loaded().tasks, "another run's events are ignored");
});
