import assert from "node:assert/strict";
import { test } from "node:test";
import { serialize, deserialize } from "@jupyterlab/services/lib/kernel/serialize.js";
import type { Message } from "../../kernel/protocol/messages.ts";
import { FramingError, V1_PROTOCOL, decodeJson, decodeV1, encodeJson, encodeV1 } from "../../server/kernels/ws-framing.ts";

const header = { msg_id: "m1", msg_type: "execute_request", session: "s1", username: "u", date: "2026-11-21T00:00:00.000Z", version: "5.3" };

function sample(buffers: Uint8Array[] = []): Message {
  return { channel: "shell", header, parent_header: {}, metadata: { cellId: "c" }, content: { code: "1 + 1", silent: false }, buffers } as unknown as Message;
}

function arrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

test("v1 frames we encode are what @jupyterlab/services decodes", () => {
  const msg = sample([new Uint8Array([1, 2, 3]), new Uint8Array([250])]);
  const decoded = deserialize(arrayBuffer(encodeV1(msg)), V1_PROTOCOL) as unknown as Record<string, unknown>;
  assert.equal(decoded.channel, "shell");
  assert.deepEqual(decoded.header, header);
  assert.deepEqual(decoded.content, msg.content);
  const buffers = decoded.buffers as DataView[];
  assert.deepEqual(
    buffers.map((b) => [...new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]),
    [[1, 2, 3], [250]],
  );
});

test("v1 frames from @jupyterlab/services decode to the same message, byte for byte", () => {
  const msg = sample([new Uint8Array([9, 8])]);
  const wire = Buffer.from(serialize(msg as never, V1_PROTOCOL) as ArrayBuffer);
  const ours = encodeV1(msg);
  assert.deepEqual(ours, wire);
  const back = decodeV1(wire);
  assert.deepEqual(back.header, header);
  assert.deepEqual([...back.buffers[0]!], [9, 8]);
});

test("v1 layout: count, offsets, then channel and JSON parts", () => {
  const frame = encodeV1(sample());
  const count = Number(frame.readBigUInt64LE(0));
  assert.equal(count, 6);
  const first = Number(frame.readBigUInt64LE(8));
  assert.equal(first, 8 * 7);
  assert.equal(frame.subarray(first, first + 5).toString(), "shell");
  assert.equal(Number(frame.readBigUInt64LE(8 * 6)), frame.length);
});

test("malformed v1 frames are refused with a reason", () => {
  assert.throws(() => decodeV1(Buffer.alloc(4)), FramingError);
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(1000n, 0);
  assert.throws(() => decodeV1(huge), /offset count/);
  const frame = encodeV1(sample());
  frame.writeBigUInt64LE(BigInt(frame.length + 10), 8 * 3);
  assert.throws(() => decodeV1(frame), FramingError);
  const iopub = encodeV1({ ...sample(), channel: "iopub" });
  assert.throws(() => decodeV1(iopub), /cannot send on channel iopub/);
});

test("legacy JSON frames round-trip and bad ones are refused", () => {
  const msg = sample();
  const back = decodeJson(encodeJson(msg));
  assert.deepEqual(back.content, msg.content);
  assert.throws(() => decodeJson("{"), /not JSON/);
  assert.throws(() => decodeJson("[1]"), FramingError);
  assert.throws(() => decodeJson(JSON.stringify({ channel: "shell", content: {} })), /not a Jupyter message/);
});
