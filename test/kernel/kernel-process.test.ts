/**
 * The real kernel process, driven over ZMQ as Jupyter Server drives it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { Dealer } from "zeromq";
import { ZmqKernelClient } from "../../kernel/client/zmq-client.ts";
import { kernelJson } from "../../kernel/kernelspec/spec.ts";
import { endpoint } from "../../kernel/protocol/connection.ts";
import {
  isCompleteReply,
  isDisplayDataMessage,
  isErrorMessage,
  isExecuteInputMessage,
  isInterruptReply,
  isIsCompleteReply,
  isKernelInfoReply,
  isShutdownReply,
  isStatusMessage,
  isStreamMessage,
  isUpdateDisplayDataMessage,
  makeHeader,
  type Message,
} from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { signFrames } from "../../kernel/protocol/wire.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

/** The display_data of `display(text)`, which a cell shows before it blocks: the cell is then running. */
const displayed =
  (text: string) =>
  (m: Message): m is Message<"display_data"> =>
    isDisplayDataMessage(m) && m.content.data["text/plain"] === `'${text}'`;

const states = (iopub: Message[]) => iopub.filter(isStatusMessage).map((m) => m.content.execution_state);
const streams = (iopub: Message[], name: "stdout" | "stderr") =>
  iopub
    .filter(isStreamMessage)
    .filter((m) => m.content.name === name)
    .map((m) => m.content.text);

describe("kernel process", () => {
  let kernel: KernelUnderTest;

  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  it("answers kernel_info_request between busy and idle", async () => {
    const { reply, iopub } = await kernel.request(makeMessage("kernel_info_request", {}, { session: kernel.client.session, channel: "shell" }));
    assert.ok(isKernelInfoReply(reply), reply.header.msg_type);
    assert.equal(reply.content.status, "ok");
    if (reply.content.status !== "ok") return;
    assert.equal(reply.content.protocol_version, "5.3");
    assert.equal(reply.content.language_info.name, "typescript");
    // A CodeMirror 5 mode classic Notebook can load (codemirror/mode/javascript/javascript.js), in its TypeScript flavour.
    assert.deepEqual(reply.content.language_info.codemirror_mode, { name: "javascript", typescript: true });
    assert.deepEqual(states(iopub), ["busy", "idle"]);
  });

  it("is ready only once its start-up requests are done: the next status on iopub is the next request's", async () => {
    // Readiness repeats kernel_info_request; a status of an earlier one arriving after it would make a
    // server report a just-started kernel busy (seen in CI: a restart answered "busy").
    const fresh = await KernelUnderTest.start();
    try {
      const next = fresh.nextMessage(isStatusMessage);
      const request = makeMessage("kernel_info_request", {}, { session: fresh.client.session, channel: "shell" });
      await fresh.client.send(request);
      assert.equal((await next).parent_header.msg_id, request.header.msg_id);
    } finally {
      await fresh.stop();
    }
  });

  it("executes a cell: execute_input, streams, execute_result, reply", async () => {
    const { reply, iopub } = await kernel.execute('console.log("hello");\nconsole.error("oops");\nconst n: number = 6;\nn * 7');
    assert.equal(reply.content.status, "ok");
    const count = reply.content.execution_count;
    assert.equal(typeof count, "number");
    assert.deepEqual(states(iopub), ["busy", "idle"]);
    assert.equal(iopub[0]?.header.msg_type, "status");
    assert.deepEqual(iopub.find(isExecuteInputMessage)?.content.execution_count, count);
    assert.deepEqual(streams(iopub, "stdout"), ["hello\n"]);
    assert.deepEqual(streams(iopub, "stderr"), ["oops\n"]);
    assert.equal(resultText(iopub), "42");
    const result = iopub.find((m) => m.header.msg_type === "execute_result");
    assert.ok(result && "execution_count" in result.content && result.content.execution_count === count);
  });

  it("coalesces the writes of one tick into one stream message", async () => {
    const { iopub } = await kernel.execute("for (let i = 0; i < 3; i++) console.log(i);");
    assert.deepEqual(streams(iopub, "stdout"), ["0\n1\n2\n"]);
  });

  it("keeps stdout and stderr in the order they were written, coalescing only runs of one stream", async () => {
    const { iopub } = await kernel.execute('console.log("a");\nconsole.log("b");\nconsole.error("c");\nconsole.log("d");');
    const order = iopub.filter(isStreamMessage).map((m) => `${m.content.name}:${m.content.text}`);
    assert.deepEqual(order, ["stdout:a\nb\n", "stderr:c\n", "stdout:d\n"]);
  });

  it("keeps state across cells, and numbers executions", async () => {
    const first = await kernel.execute('let counter = 40;\nimport { parse } from "acorn";');
    const second = await kernel.execute('counter += 1;\ncounter + (typeof parse === "function" ? 1 : 0)');
    assert.equal(resultText(second.iopub), "42");
    assert.equal(second.reply.content.execution_count, (first.reply.content.execution_count ?? 0) + 1);
  });

  it("shows the output of a cell that keeps the event loop busy while it runs", async () => {
    const { iopub } = await kernel.execute(
      "const t0 = Date.now();\nlet ticks = 0;\nwhile (Date.now() - t0 < 350) if (Date.now() - t0 >= ticks * 50) console.log(ticks++);",
    );
    const chunks = streams(iopub, "stdout");
    assert.ok(chunks.length >= 2, `flushed every 100 ms, got ${JSON.stringify(chunks)}`);
    assert.match(chunks.join(""), /^0\n1\n2\n3\n4\n5\n/);
  });

  it("runs silent cells without output or a new execution count", async () => {
    const before = await kernel.execute("1");
    const { reply, iopub } = await kernel.execute('console.log("quiet"); 5', { silent: true });
    assert.equal(reply.content.status, "ok");
    assert.equal(reply.content.execution_count, before.reply.content.execution_count);
    assert.deepEqual(
      iopub.map((m) => m.header.msg_type),
      ["status", "status"],
    );
  });

  it("evaluates user_expressions after the cell", async () => {
    const { reply } = await kernel.execute("const base = 21;", { user_expressions: { twice: "base * 2", bad: "nope.x" } });
    assert.equal(reply.content.status, "ok");
    if (reply.content.status !== "ok") return;
    const { twice, bad } = reply.content.user_expressions;
    assert.deepEqual(twice, { status: "ok", data: { "text/plain": "42" }, metadata: {} });
    assert.equal(bad?.status, "error");
    assert.ok(bad?.status === "error" && bad.ename === "ReferenceError", JSON.stringify(bad));
  });

  it("reports a thrown error with the cell line in the traceback", async () => {
    const { reply, iopub } = await kernel.execute('const fine = 1;\nthrow new TypeError("boom");');
    assert.equal(reply.content.status, "error");
    if (reply.content.status !== "error") return;
    assert.equal(reply.content.ename, "TypeError");
    assert.equal(reply.content.evalue, "boom");
    const cell = `<cell-${reply.content.execution_count}>`;
    assert.ok(
      reply.content.traceback.some((line) => line.includes(`${cell}:2:7`)),
      reply.content.traceback.join("\n"),
    );
    const published = iopub.find(isErrorMessage);
    assert.deepEqual(published?.content.traceback, reply.content.traceback);
  });

  it("reports a syntax error with line and column", async () => {
    const { reply } = await kernel.execute("const ok = 1;\nconst = 2;");
    assert.equal(reply.content.status, "error");
    if (reply.content.status !== "error") return;
    assert.equal(reply.content.ename, "SyntaxError");
    assert.match(reply.content.evalue, /\(2:7\)$/);
  });

  it("publishes display_data and update_display_data with the display id", async () => {
    const { iopub } = await kernel.execute('display({ "text/html": "<b>1</b>" }, { id: "progress" });\nupdate("progress", 2);');
    const shown = iopub.find(isDisplayDataMessage);
    assert.deepEqual(shown?.content.data, { "text/html": "<b>1</b>" });
    assert.equal(shown?.content.transient?.display_id, "progress");
    const updated = iopub.find(isUpdateDisplayDataMessage);
    assert.deepEqual(updated?.content, { data: { "text/plain": "2" }, metadata: {}, transient: { display_id: "progress" } });
    assert.equal(resultText(iopub), undefined, "display() returns nothing to show");
  });

  it("stops a synchronous infinite loop on SIGINT and keeps the state", async () => {
    const looping = kernel.nextMessage(displayed("looping on SIGINT"));
    const running = kernel.execute('display("looping on SIGINT");\nwhile (true) {}');
    await looping;
    assert.equal(await kernel.client.ping(2000), true, "heartbeat answers while a cell blocks the main thread");
    kernel.proc.kill("SIGINT");
    const { reply, iopub } = await running;
    assert.equal(reply.content.status, "error");
    assert.ok("ename" in reply.content && reply.content.ename === "KeyboardInterrupt", JSON.stringify(reply.content));
    assert.equal(iopub.find(isErrorMessage)?.content.ename, "KeyboardInterrupt");
    assert.equal(resultText((await kernel.execute("counter")).iopub), "41");
  });

  it("survives SIGINT while idle", async () => {
    const noted = kernel.stderrMatching(/SIGINT while idle/);
    kernel.proc.kill("SIGINT");
    await noted;
    assert.equal(resultText((await kernel.execute("1 + 1")).iopub), "2");
  });

  it("abandons a pending await on interrupt_request", async () => {
    const waiting = kernel.nextMessage(displayed("awaiting forever"));
    const running = kernel.execute('display("awaiting forever");\nawait new Promise(() => {});');
    await waiting;
    const interrupt = await kernel.request(makeMessage("interrupt_request", {}, { session: kernel.client.session, channel: "control" }));
    assert.ok(isInterruptReply(interrupt.reply) && interrupt.reply.content.status === "ok", interrupt.reply.header.msg_type);
    const { reply } = await running;
    assert.ok("ename" in reply.content && reply.content.ename === "KeyboardInterrupt", JSON.stringify(reply.content));
  });

  it("aborts executions queued behind a failing one (stop_on_error)", async () => {
    // Slow enough that the second request is queued before the first fails.
    const failing = kernel.execute('await new Promise((r) => setTimeout(r, 200));\nthrow new Error("first fails");');
    const queued = kernel.execute("globalThis.ranAfterError = true");
    assert.equal((await failing).reply.content.status, "error");
    assert.equal((await queued).reply.content.status, "aborted");
    assert.equal(resultText((await kernel.execute("typeof ranAfterError")).iopub), "'undefined'");
  });

  it("reports a rejection nobody handles on stderr and stays alive", async () => {
    const stderr = kernel.nextMessage((m): m is Message<"stream"> => isStreamMessage(m) && m.content.name === "stderr");
    const { reply } = await kernel.execute('setTimeout(() => Promise.reject(new Error("late failure")), 10);');
    assert.equal(reply.content.status, "ok");
    const { content, parent_header } = await stderr;
    assert.match(content.text, /Unhandled promise rejection[\s\S]*late failure/);
    assert.equal(parent_header.msg_id, reply.parent_header.msg_id, "shown under the cell that started it");
    assert.equal(resultText((await kernel.execute("counter")).iopub), "41");
  });

  it("does not run a message signed with the wrong key", async () => {
    const wireErrors: string[] = [];
    const forger = new ZmqKernelClient({ ...kernel.conn, key: "not the key" }, { onWireError: (e, channel) => wireErrors.push(`${channel}: ${e.message}`) });
    await forger.connect();
    let received = 0;
    forger.onMessage(() => (received += 1));
    try {
      const forged = makeMessage("execute_request", { code: "globalThis.forged = true" }, { session: forger.session, channel: "shell" });
      const dropped = kernel.stderrMatching(/dropped message on shell: bad HMAC signature/);
      await forger.send(forged);
      await dropped;
      assert.equal(resultText((await kernel.execute("typeof forged")).iopub), "'undefined'");
    } finally {
      await forger.close();
    }
    assert.match(kernel.stderr, /dropped message on shell: bad HMAC signature/);
    // The kernel's own iopub traffic fails the forger's key check: dropped and reported, never delivered.
    assert.equal(received, 0);
    assert.ok(wireErrors.includes("iopub: bad HMAC signature"), wireErrors.join("\n"));
  });

  it("drops a message type it does not know, as the spec allows, and keeps working", async () => {
    const header = { ...makeHeader("kernel_info_request", "raw"), msg_type: "debug_request" };
    const parts = [header, {}, {}, { command: "initialize" }].map((part) => Buffer.from(JSON.stringify(part)));
    const dealer = new Dealer({ linger: 0 });
    dealer.connect(endpoint(kernel.conn, "control"));
    try {
      const dropped = kernel.stderrMatching(/dropped message on control: unknown msg_type "debug_request"/);
      await dealer.send(["<IDS|MSG>", signFrames(kernel.conn.key, parts), ...parts]);
      await dropped;
    } finally {
      dealer.close();
    }
    assert.equal(resultText((await kernel.execute('"alive"')).iopub), "'alive'");
  });

  it("answers is_complete_request and complete_request", async () => {
    const session = kernel.client.session;
    const isComplete = async (code: string) => {
      const { reply } = await kernel.request(makeMessage("is_complete_request", { code }, { session, channel: "shell" }));
      assert.ok(isIsCompleteReply(reply));
      return reply.content.status;
    };
    assert.equal(await isComplete("function f() {"), "incomplete");
    assert.equal(await isComplete("const x = 1"), "complete");
    assert.equal(await isComplete("const = ;"), "invalid");
    const { reply } = await kernel.request(makeMessage("complete_request", { code: "Math.ma", cursor_pos: 7 }, { session, channel: "shell" }));
    assert.ok(isCompleteReply(reply) && reply.content.status === "ok");
    if (reply.content.status !== "ok") return;
    assert.ok(reply.content.matches.includes("max"), reply.content.matches.join(","));
    assert.equal(reply.content.cursor_start, 5);
  });

  it("shuts down on shutdown_request, echoing restart, and exits 0", async () => {
    const { reply } = await kernel.request(makeMessage("shutdown_request", { restart: true }, { session: kernel.client.session, channel: "control" }));
    assert.ok(isShutdownReply(reply) && reply.content.status === "ok" && reply.content.restart, JSON.stringify(reply.content));
    // Its stderr says why if it did not exit cleanly (a SIGABRT was seen once in CI under load).
    assert.deepEqual(await kernel.exited, { code: 0, signal: null }, kernel.stderr);
  });
});

describe("kernel process signals", () => {
  const kernels: KernelUnderTest[] = [];
  after(async () => {
    await Promise.all(kernels.map((k) => k.stop()));
  });

  it("exits cleanly on SIGTERM when idle", async () => {
    const kernel = await KernelUnderTest.start();
    kernels.push(kernel);
    kernel.proc.kill("SIGTERM");
    assert.deepEqual(await kernel.exited, { code: 0, signal: null });
    assert.match(kernel.stderr, /shutting down \(SIGTERM\)/);
    assert.equal(await kernel.client.ping(300), false, "no heartbeat from an exited kernel");
  });

  it("exits with a clear message when the connection file is missing", async () => {
    const [command, ...args] = kernelJson().argv.map((arg) => arg.replace("{connection_file}", "/nonexistent/kernel.json"));
    const child = spawn(command ?? "node", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, "exit");
    assert.equal(code, 2);
    assert.match(stderr, /cannot read connection file \/nonexistent\/kernel.json/);
  });

  it("is still ended by SIGTERM while a cell blocks JavaScript", async () => {
    const kernel = await KernelUnderTest.start();
    kernels.push(kernel);
    const looping = kernel.nextMessage(displayed("looping on SIGTERM"));
    kernel.execute('display("looping on SIGTERM");\nwhile (true) {}').catch(() => undefined);
    await looping;
    kernel.proc.kill("SIGTERM");
    assert.deepEqual(await kernel.exited, { code: null, signal: "SIGTERM" });
  });
});
