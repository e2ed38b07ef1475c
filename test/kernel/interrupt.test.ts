/**
 * interrupt_request reaches JavaScript the event loop cannot: a synchronous loop after a cell's
 * first await, or in a timer callback after the cell finished (control-worker.ts). The kernel
 * keeps its state and runs the next cell.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isDisplayDataMessage, isErrorMessage, isExecuteReply, isInterruptReply, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

describe("interrupt", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const displayed =
    (text: string) =>
    (m: Message): m is Message<"display_data"> =>
      isDisplayDataMessage(m) && m.content.data["text/plain"] === `'${text}'`;
  const interrupt = async () => {
    const { reply } = await kernel.request(makeMessage("interrupt_request", {}, { session: kernel.client.session, channel: "control" }));
    assert.ok(isInterruptReply(reply) && reply.content.status === "ok");
  };

  it("stops a synchronous loop after the cell awaited, keeping earlier state", async () => {
    const looping = kernel.nextMessage(displayed("looping after await"));
    const running = kernel.execute(
      'let progress = 0;\nawait new Promise((resolve) => setTimeout(resolve, 1));\nprogress = 1;\ndisplay("looping after await");\nwhile (true) {}',
    );
    await looping;
    await interrupt();
    const { reply, iopub } = await running;
    assert.ok(isExecuteReply(reply) && reply.content.status === "error");
    const error = iopub.find(isErrorMessage)?.content;
    assert.equal(error?.ename, "KeyboardInterrupt");
    // The error is made where the kernel learns of the interrupt: none of its frames are the user's.
    assert.deepEqual(error?.traceback, ["\u001b[1;31mKeyboardInterrupt\u001b[0m: Execution interrupted"]);
    assert.equal(resultText((await kernel.execute("progress")).iopub), "1");
  });

  it("stops a cell that awaits where it resumes: the rest of it never runs", async () => {
    const waiting = kernel.nextMessage(displayed("waiting for release"));
    const running = kernel.execute(
      'let resumedAfter = false;\ndisplay("waiting for release");\nfor (const _ of [1]) await new Promise((resolve) => { globalThis.release = resolve; });\nresumedAfter = true;',
    );
    await waiting;
    await interrupt();
    assert.equal((await running).iopub.find(isErrorMessage)?.content.ename, "KeyboardInterrupt");
    // release() queues the interrupted cell's continuation; this cell's await lets it run first.
    assert.equal(resultText((await kernel.execute("release();\nawait null;\nresumedAfter")).iopub), "false");
  });

  it("stops a synchronous loop in a timer callback after its cell finished", async () => {
    const looping = kernel.nextMessage(displayed("timer looping"));
    // The timer may fire before the cell's reply is out; the reply then follows the interrupt.
    const scheduled = kernel.execute('setTimeout(() => { display("timer looping"); while (true) {} }, 1);\n"scheduled"');
    await looping;
    await interrupt();
    assert.equal(resultText((await scheduled).iopub), "'scheduled'");
    assert.equal(resultText((await kernel.execute("progress + 1")).iopub), "2");
  });

  it("stops a synchronous loop before the first await (interrupt_mode message)", async () => {
    const looping = kernel.nextMessage(displayed("looping at once"));
    const running = kernel.execute('display("looping at once");\nwhile (true) {}');
    await looping;
    await interrupt();
    assert.equal((await running).iopub.find(isErrorMessage)?.content.ename, "KeyboardInterrupt");
  });

  it("stops a comm handler stuck in a loop, and answers the comm message", async () => {
    await kernel.execute(`comms.registerTarget('stuck', (comm) => comm.onMsg(() => { display('handler looping'); while (true) {} }));`);
    const session = kernel.client.session;
    await kernel.notify(makeMessage("comm_open", { comm_id: "c1", target_name: "stuck", data: {} }, { session, channel: "shell" }));
    const looping = kernel.nextMessage(displayed("handler looping"));
    const handled = kernel.notify(makeMessage("comm_msg", { comm_id: "c1", data: {} }, { session, channel: "shell" }));
    await looping;
    await interrupt();
    await handled;
    assert.equal(resultText((await kernel.execute("progress + 3")).iopub), "4");
  });

  it("does nothing to an idle kernel", async () => {
    await interrupt();
    assert.equal(resultText((await kernel.execute("progress + 2")).iopub), "3");
  });
});
