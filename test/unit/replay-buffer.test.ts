import assert from "node:assert/strict";
import { test } from "node:test";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { ReplayBuffer } from "../../kernel/transport/replay-buffer.ts";

const stream = (text: string) => makeMessage("stream", { name: "stdout", text }, { session: "k", channel: "iopub" });
const texts = (messages: { content: unknown }[]) => messages.map((m) => (m.content as { text: string }).text);

test("the buffer keeps the most recent messages within its count and byte limits", () => {
  const buffer = new ReplayBuffer({ messages: 3, bytes: 1000 });
  const sent = ["a", "b", "c", "d", "e"].map(stream);
  for (const m of sent) buffer.add(m, 10);
  assert.deepEqual(texts(buffer.after(null).messages), ["c", "d", "e"]);
  assert.equal(buffer.after(null).complete, false, "a and b were dropped");
  assert.deepEqual(texts(buffer.after(sent[3]!.header.msg_id).messages), ["e"]);
  assert.equal(buffer.after(sent[3]!.header.msg_id).complete, true);
  assert.equal(buffer.after(sent[0]!.header.msg_id).complete, false, "a is gone: what followed it may be missing");

  const small = new ReplayBuffer({ messages: 100, bytes: 25 });
  for (const m of sent) small.add(m, 10);
  assert.deepEqual(texts(small.after(null).messages), ["d", "e"]);
  // One message larger than the whole budget is still kept, alone.
  small.add(stream("big"), 100);
  assert.deepEqual(texts(small.after(null).messages), ["big"]);
});

test("an empty or untouched buffer is complete", () => {
  const buffer = new ReplayBuffer({ messages: 3, bytes: 1000 });
  assert.deepEqual(buffer.after(null), { messages: [], complete: true });
  buffer.add(stream("a"), 1);
  assert.deepEqual(texts(buffer.after(null).messages), ["a"]);
  assert.equal(buffer.after(null).complete, true);
});
