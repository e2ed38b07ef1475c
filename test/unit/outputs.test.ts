import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOutputEvent, outputEventFromMessage, toNbOutput, type OutputEvent, type OutputState } from "../../contracts/outputs.ts";

const empty: OutputState = { outputs: [], clearPending: false };

function run(events: (OutputEvent | null)[]): OutputState {
  return events.reduce<OutputState>((state, event) => {
    if (!event || event.kind === "execute-input") return state;
    return applyOutputEvent(state, event);
  }, empty);
}

const stream = (text: string, name = "stdout") => outputEventFromMessage("stream", { name, text });

test("consecutive chunks of one stream merge; another stream starts a new output", () => {
  const { outputs } = run([stream("a"), stream("b\n"), stream("oops", "stderr"), stream("c")]);
  assert.deepEqual(outputs.map(toNbOutput), [
    { output_type: "stream", name: "stdout", text: "ab\n" },
    { output_type: "stream", name: "stderr", text: "oops" },
    { output_type: "stream", name: "stdout", text: "c" },
  ]);
});

test("a carriage return in a later chunk overwrites only the last line", () => {
  const { outputs } = run([stream("a\nb"), stream("\rc\n"), stream("d")]);
  assert.deepEqual(outputs, [{ output_type: "stream", name: "stdout", text: "a\nc\nd" }]);
});

test("carriage returns overwrite the line, also across chunks", () => {
  const { outputs } = run([stream("0\r"), stream("1\r"), stream("22\r"), stream("3\n")]);
  assert.deepEqual(outputs.map(toNbOutput), [{ output_type: "stream", name: "stdout", text: "32\n" }]);
});

test("clear_output(wait) clears only when the next output arrives", () => {
  const waiting = run([stream("old"), outputEventFromMessage("clear_output", { wait: true })]);
  assert.equal(waiting.outputs.length, 1);
  const after = applyOutputEvent(waiting, { kind: "output", output: { output_type: "stream", name: "stdout", text: "new" } });
  assert.deepEqual(after.outputs.map(toNbOutput), [{ output_type: "stream", name: "stdout", text: "new" }]);
  assert.deepEqual(run([stream("x"), outputEventFromMessage("clear_output", { wait: false })]).outputs, []);
});

test("update_display_data replaces the display with that id; the id is not saved", () => {
  const shown = outputEventFromMessage("display_data", { data: { "text/plain": ["a", "b"] }, metadata: {}, transient: { display_id: "d1" } });
  const other = outputEventFromMessage("display_data", { data: { "text/plain": "other" }, metadata: {} });
  const update = outputEventFromMessage("update_display_data", { data: { "text/html": "<b>new</b>" }, metadata: {}, transient: { display_id: "d1" } });
  const { outputs } = run([shown, other, update]);
  assert.deepEqual(outputs.map(toNbOutput), [
    { output_type: "display_data", data: { "text/html": "<b>new</b>" }, metadata: {} },
    { output_type: "display_data", data: { "text/plain": "other" }, metadata: {} },
  ]);
});

test("execute_result and error keep their nbformat shape; JSON MIME data stays structured", () => {
  const result = outputEventFromMessage("execute_result", {
    execution_count: 3,
    data: { "application/vnd.vegalite.v5+json": { mark: "point" } },
    metadata: {},
  });
  const error = outputEventFromMessage("error", { ename: "TypeError", evalue: "x is undefined", traceback: ["\u001b[31mTypeError\u001b[0m"] });
  assert.deepEqual(run([result, error]).outputs.map(toNbOutput), [
    { output_type: "execute_result", execution_count: 3, data: { "application/vnd.vegalite.v5+json": { mark: "point" } }, metadata: {} },
    { output_type: "error", ename: "TypeError", evalue: "x is undefined", traceback: ["\u001b[31mTypeError\u001b[0m"] },
  ]);
});

test("messages that do not touch outputs are ignored; malformed ones are rejected", () => {
  assert.equal(outputEventFromMessage("status", { execution_state: "busy" }), null);
  assert.deepEqual(outputEventFromMessage("execute_input", { code: "1", execution_count: 7 }, "2026-01-01T00:00:00Z"), {
    kind: "execute-input",
    executionCount: 7,
    at: "2026-01-01T00:00:00Z",
  });
  assert.throws(() => outputEventFromMessage("stream", { name: "stdout", text: 42 }), /stream message: text: must be a string or a list of strings/);
});
