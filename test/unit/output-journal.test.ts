import assert from "node:assert/strict";
import { test } from "node:test";
import type { Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { OutputJournal, type ObservedKernel } from "../../server/kernels/output-journal.ts";

/** A kernel's iopub and stdin as the journal sees them: real protocol messages, pushed by the test. */
function iopub(): { kernel: ObservedKernel; emit: (msg: Message) => void } {
  const listeners = new Set<(msg: Message) => void>();
  const listen = (l: (msg: Message) => void) => (listeners.add(l), () => listeners.delete(l));
  return {
    kernel: { id: "k1", observe: listen, watchStdin: listen, observeSent: listen },
    emit: (msg) => listeners.forEach((l) => l(msg)),
  };
}

const session = "s";
const request = (code: string) =>
  makeMessage(
    "execute_request",
    { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    { session, channel: "shell" },
  );

function run(emit: (msg: Message) => void, code: string, count: number, chunks: string[], finish = true): void {
  const parent = request(code).header;
  const on = { session, channel: "iopub" as const, parent };
  emit(makeMessage("status", { execution_state: "busy" }, on));
  emit(makeMessage("execute_input", { code, execution_count: count }, on));
  for (const text of chunks) emit(makeMessage("stream", { name: "stdout", text }, on));
  emit(makeMessage("execute_result", { execution_count: count, data: { "text/plain": "42" }, metadata: {} }, on));
  if (finish) emit(makeMessage("status", { execution_state: "idle" }, on));
}

test("an execution is recorded from execute_input to idle, stream chunks merged", () => {
  const journal = new OutputJournal();
  const { kernel, emit } = iopub();
  journal.attach(kernel);
  run(emit, "for (…) console.log(i)", 3, ["a\n", "b\n", "c\n"]);
  const [execution, ...rest] = journal.executions("k1");
  assert.equal(rest.length, 0);
  assert.equal(execution!.code, "for (…) console.log(i)");
  assert.equal(execution!.execution_count, 3);
  assert.equal(execution!.state, "done");
  assert.ok(execution!.ended !== null && execution!.started !== null);
  assert.deepEqual(
    execution!.messages.map((m) => [m.msg_type, m.content]),
    [
      ["stream", { name: "stdout", text: "a\nb\nc\n" }],
      ["execute_result", { execution_count: 3, data: { "text/plain": "42" }, metadata: {} }],
    ],
  );
});

test("a running execution stays running; messages of other requests and of no request are ignored", () => {
  const journal = new OutputJournal();
  const { kernel, emit } = iopub();
  journal.attach(kernel);
  run(emit, "slow()", 1, ["x\n"], false);
  emit(makeMessage("stream", { name: "stdout", text: "orphan\n" }, { session, channel: "iopub" }));
  emit(makeMessage("stream", { name: "stdout", text: "other\n" }, { session, channel: "iopub", parent: request("never echoed").header }));
  const [execution] = journal.executions("k1");
  assert.equal(execution!.state, "running");
  assert.deepEqual(
    execution!.messages.map((m) => m.content),
    [
      { name: "stdout", text: "x\n" },
      { execution_count: 1, data: { "text/plain": "42" }, metadata: {} },
    ],
  );
});

test("limits: old executions give way, and a huge stream keeps its end", () => {
  const journal = new OutputJournal({ executions: 2, streamChars: 20 });
  const { kernel, emit } = iopub();
  const detach = journal.attach(kernel);
  for (let i = 1; i <= 3; i++) run(emit, `cell ${i}`, i, []);
  assert.deepEqual(
    journal.executions("k1").map((e) => e.code),
    ["cell 2", "cell 3"],
  );
  run(emit, "chatty", 4, ["line 1\n", "line 2\n", "line 3\n", "line 4\n"]);
  const text = (journal.executions("k1").at(-1)!.messages[0]!.content as { text: string }).text;
  assert.match(text, /^\[… \d+ earlier characters were dropped by the server\]\nline 3\nline 4\n$/);
  detach();
  assert.deepEqual(journal.executions("k1"), []);
});

test("a pending input() prompt is kept until it is answered, or its execution ends", () => {
  const journal = new OutputJournal();
  const { kernel, emit } = iopub();
  journal.attach(kernel);
  const ask = (code: string) => {
    const parent = request(code).header;
    emit(makeMessage("execute_input", { code, execution_count: 1 }, { session, channel: "iopub", parent }));
    const prompt = makeMessage("input_request", { prompt: "Operator: ", password: false }, { session, channel: "stdin", parent });
    emit(prompt);
    return { parent, prompt };
  };
  const first = ask("await input('Operator: ')");
  const [execution] = journal.executions("k1");
  assert.deepEqual(execution!.input, { header: first.prompt.header, prompt: "Operator: ", password: false });
  assert.deepEqual(execution!.messages, [], "a prompt is not an output");
  emit(makeMessage("input_reply", { value: "Ada" }, { session: "another client", channel: "stdin", parent: first.prompt.header }));
  assert.equal(journal.executions("k1")[0]!.input, null, "answered");

  const second = ask("await input('Again: ')");
  assert.notEqual(journal.executions("k1")[1]!.input, null);
  emit(makeMessage("status", { execution_state: "idle" }, { session, channel: "iopub", parent: second.parent }));
  assert.equal(journal.executions("k1")[1]!.input, null, "interrupted or ended without an answer");
});
