/**
 * lightbook_replay_request (kernel/README.md, "Outliving its server"): the real kernel process
 * replays the iopub messages it published after a given one, on control.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isLightbookReplayReply, isStreamMessage, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { KernelUnderTest } from "./kernel-harness.ts";

describe("lightbook_replay_request", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const replay = async (after: string | null) => {
    const { reply } = await kernel.request(makeMessage("lightbook_replay_request", { after }, { session: kernel.client.session, channel: "control" }));
    assert.ok(isLightbookReplayReply(reply), `got ${reply.header.msg_type}`);
    assert.equal(reply.content.status, "ok");
    return reply.content as Extract<Message<"lightbook_replay_reply">["content"], { status: "ok" }>;
  };

  it("answers with the iopub messages published after the given one, as they were sent", async () => {
    const first = await kernel.execute('console.log("one")');
    const mark = first.iopub.at(-1)!.header.msg_id; // its idle status
    const second = await kernel.execute('console.log("two")');
    const { messages, complete } = await replay(mark);
    assert.equal(complete, true);
    const ids = messages.map((m) => m.header.msg_id);
    // The second execution's iopub, then the replay request's own busy (its idle follows the reply).
    assert.deepEqual(
      ids.slice(0, second.iopub.length),
      second.iopub.map((m) => m.header.msg_id),
    );
    const stream = messages.find((m) => m.header.msg_id === second.iopub.find(isStreamMessage)!.header.msg_id)!;
    assert.deepEqual(stream.content, { name: "stdout", text: "two\n" });
    assert.equal(stream.parent_header.msg_id, second.reply.parent_header.msg_id);
    assert.ok(!ids.includes(mark) && !first.iopub.some((m) => ids.includes(m.header.msg_id)), "nothing from before the mark");
  });

  it("says it is incomplete for a msg_id it does not hold, and replays everything it kept", async () => {
    const { messages, complete } = await replay("not-a-message-of-this-kernel");
    assert.equal(complete, false);
    assert.ok(messages.some((m) => m.header.msg_type === "stream" && (m.content as { text: string }).text === "one\n"));
  });
});
