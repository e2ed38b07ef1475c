/**
 * history_request over the real kernel: tail, range and search over the cells run with
 * store_history, with and without outputs.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isHistoryReply, type HistoryEntry, type HistoryRequest } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { KernelUnderTest } from "./kernel-harness.ts";

describe("history", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
    await kernel.execute("const energy = 12.4;");
    await kernel.execute("energy * 2");
    await kernel.execute("1 + 1", { store_history: false });
    await kernel.execute("energy * 2");
    await kernel.execute('"last"');
  });
  after(async () => {
    await kernel.stop();
  });

  const history = async (content: HistoryRequest): Promise<HistoryEntry[]> => {
    const { reply } = await kernel.request(makeMessage("history_request", content, { session: kernel.client.session, channel: "shell" }));
    assert.ok(isHistoryReply(reply) && reply.content.status === "ok");
    return reply.content.status === "ok" ? reply.content.history : [];
  };

  it("returns the last n entries (tail), without cells run without store_history", async () => {
    assert.deepEqual(await history({ hist_access_type: "tail", n: 2, output: false, raw: true }), [
      [1, 3, "energy * 2"],
      [1, 4, '"last"'],
    ]);
  });

  it("returns a range of lines with outputs", async () => {
    assert.deepEqual(await history({ hist_access_type: "range", session: 0, start: 1, stop: 3, output: true, raw: true }), [
      [1, 1, ["const energy = 12.4;", null]],
      [1, 2, ["energy * 2", "24.8"]],
    ]);
  });

  it("searches with a glob, newest duplicate kept when unique", async () => {
    assert.deepEqual(await history({ hist_access_type: "search", pattern: "energy*", unique: true, output: false, raw: true }), [[1, 3, "energy * 2"]]);
    assert.deepEqual(await history({ hist_access_type: "search", pattern: "*2", output: false, raw: true }), [
      [1, 2, "energy * 2"],
      [1, 3, "energy * 2"],
    ]);
  });
});
