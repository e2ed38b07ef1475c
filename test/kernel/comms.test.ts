/**
 * Comms over the real kernel: targets registered by cells, frontend-opened and kernel-opened
 * comms, messages both ways (with binary buffers), comm_info and closing.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { isCommCloseMessage, isCommInfoReply, isCommMsgMessage, isCommOpenMessage, type JsonValue } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

describe("comms", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const send = (msg_type: "comm_open" | "comm_msg" | "comm_close", content: Record<string, JsonValue>, buffers: Uint8Array[] = []) => {
    const msg = makeMessage(msg_type, content as never, { session: kernel.client.session, channel: "shell", buffers });
    return kernel.notify(msg);
  };
  const commInfo = async (target_name?: string) => {
    const content = target_name === undefined ? {} : { target_name };
    const { reply } = await kernel.request(makeMessage("comm_info_request", content, { session: kernel.client.session, channel: "shell" }));
    assert.ok(isCommInfoReply(reply) && reply.content.status === "ok");
    return reply.content.status === "ok" ? reply.content.comms : {};
  };

  it("opens a comm to a target a cell registered, and exchanges messages and buffers", async () => {
    await kernel.execute(`
      let closedWith: unknown;
      comms.registerTarget('lightbook.echo', (comm, data) => {
        comm.onMsg((msg, buffers) => comm.send({ echo: msg, opened: data, sizes: buffers.map((b) => b.byteLength) }, buffers));
        comm.onClose((data) => (closedWith = data));
      });`);
    const comm_id = randomUUID();
    const opened = await send("comm_open", { comm_id, target_name: "lightbook.echo", data: { a: 1 } });
    assert.equal(opened.iopub.filter(isCommCloseMessage).length, 0, "a known target is not closed");
    assert.deepEqual(await commInfo(), { [comm_id]: { target_name: "lightbook.echo" } });

    const { iopub } = await send("comm_msg", { comm_id, data: { x: "hi" } }, [new Uint8Array([1, 2, 3])]);
    const echo = iopub.find(isCommMsgMessage);
    assert.deepEqual(echo?.content, { comm_id, data: { echo: { x: "hi" }, opened: { a: 1 }, sizes: [3] } });
    assert.deepEqual([...(echo?.buffers[0] ?? [])], [1, 2, 3]);

    await send("comm_close", { comm_id, data: { bye: true } });
    assert.equal(resultText((await kernel.execute("JSON.stringify(closedWith)")).iopub), `'{"bye":true}'`);
    assert.deepEqual(await commInfo(), {});
  });

  it("answers comm_open to an unknown target with comm_close", async () => {
    const comm_id = randomUUID();
    const { iopub } = await send("comm_open", { comm_id, target_name: "nobody.here", data: {} });
    assert.deepEqual(iopub.find(isCommCloseMessage)?.content, { comm_id, data: {} });
  });

  it("opens comms from a cell, receives frontend messages on them, and lists them by target", async () => {
    const { iopub } = await kernel.execute(`
      const fromKernel = comms.open('lightbook.view', { value: 0 });
      const received: unknown[] = [];
      fromKernel.onMsg((data) => received.push(data));
      fromKernel.send({ value: 1 });`);
    const open = iopub.find(isCommOpenMessage);
    assert.equal(open?.content.target_name, "lightbook.view");
    assert.deepEqual(open?.content.data, { value: 0 });
    const comm_id = open?.content.comm_id ?? "";
    assert.deepEqual(iopub.find(isCommMsgMessage)?.content, { comm_id, data: { value: 1 } });
    assert.deepEqual(await commInfo("lightbook.view"), { [comm_id]: { target_name: "lightbook.view" } });
    assert.deepEqual(await commInfo("other"), {});
    await send("comm_msg", { comm_id, data: { clicked: true } });
    assert.equal(resultText((await kernel.execute("JSON.stringify(received)")).iopub), `'[{"clicked":true}]'`);
    const closed = await kernel.execute("fromKernel.close()");
    assert.deepEqual(closed.iopub.find(isCommCloseMessage)?.content, { comm_id, data: {} });
  });

  it("reports an error thrown by a comm handler on stderr and keeps the comm working", async () => {
    await kernel.execute(`comms.registerTarget('lightbook.fails', (comm) => comm.onMsg(() => { throw new Error('handler broke'); }));`);
    const comm_id = randomUUID();
    await send("comm_open", { comm_id, target_name: "lightbook.fails", data: {} });
    const { iopub } = await send("comm_msg", { comm_id, data: {} });
    const stderr = iopub
      .filter((m) => m.header.msg_type === "stream")
      .map((m) => JSON.stringify(m.content))
      .join("");
    assert.match(stderr, /handler broke/);
    assert.equal(resultText((await kernel.execute("1")).iopub), "1");
  });
});
