/**
 * input() in cells: input_request to the client that sent the execute_request, input_reply back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isErrorMessage, isInputRequest, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

describe("stdin", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const answer = (request: Message<"input_request">, value: string) =>
    kernel.client.send(makeMessage("input_reply", { value }, { session: kernel.client.session, channel: "stdin", parent: request.header }));

  it("asks the frontend for input and resumes the cell with the reply", async () => {
    const asked = kernel.nextMessage(isInputRequest);
    const running = kernel.execute('const who = await input("Sample name? ");\n`sample ${who.toUpperCase()}`', { allow_stdin: true });
    const request = await asked;
    assert.deepEqual(request.content, { prompt: "Sample name? ", password: false });
    assert.equal(request.channel, "stdin");
    await answer(request, "lysozyme");
    const { reply, iopub } = await running;
    assert.equal(reply.content.status, "ok");
    assert.equal(resultText(iopub), "'sample LYSOZYME'");
    assert.equal(request.parent_header.msg_id, reply.parent_header.msg_id);
  });

  it("sends what the cell printed before the prompt (as ipykernel flushes before input_request)", async () => {
    // iopub and stdin are separate sockets, so a client may receive the two in either order; the
    // kernel's own header dates say which it sent first.
    const printed = kernel.nextMessage((m): m is Message<"stream"> => m.header.msg_type === "stream" && JSON.stringify(m.content).includes("before"));
    const asked = kernel.nextMessage(isInputRequest);
    const running = kernel.execute('console.log("before");\nawait input("Operator: ")', { allow_stdin: true });
    const request = await asked;
    await answer(request, "Ada");
    const stream = await printed;
    assert.ok(stream.header.date <= request.header.date, `stream sent at ${stream.header.date}, input_request at ${request.header.date}`);
    await running;
  });

  it("marks password prompts", async () => {
    const asked = kernel.nextMessage(isInputRequest);
    const running = kernel.execute('(await input("Token: ", { password: true })).length', { allow_stdin: true });
    const request = await asked;
    assert.equal(request.content.password, true);
    await answer(request, "secret");
    assert.equal(resultText((await running).iopub), "6");
  });

  it("fails input() at once when the request does not allow stdin", async () => {
    const { reply, iopub } = await kernel.execute('await input("x")', { allow_stdin: false });
    assert.equal(reply.content.status, "error");
    assert.equal(iopub.find(isErrorMessage)?.content.ename, "StdinNotImplementedError");
  });

  it("ignores an input_reply nobody asked for and keeps working", async () => {
    await kernel.client.send(makeMessage("input_reply", { value: "stray" }, { session: kernel.client.session, channel: "stdin" }));
    assert.equal(resultText((await kernel.execute("1 + 1")).iopub), "2");
  });
});
