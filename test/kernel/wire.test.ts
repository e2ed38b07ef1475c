import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { decodeWire, encodeWire, WireError } from "../../kernel/protocol/wire.ts";

const KEY = "secret";

/** A message with a fixed header, so its bytes (and signature) are known. */
const kernelInfoRequest: Message<"kernel_info_request"> = {
  header: {
    msg_id: "m1",
    msg_type: "kernel_info_request",
    session: "s1",
    username: "u",
    date: "2024-01-01T00:00:00.000Z",
    version: "5.3",
  },
  parent_header: {},
  metadata: {},
  content: {},
  buffers: [],
  channel: "shell",
};

const HEADER_JSON = '{"msg_id":"m1","msg_type":"kernel_info_request","session":"s1","username":"u","date":"2024-01-01T00:00:00.000Z","version":"5.3"}';
/** Computed with Python's hmac.new(b'secret', digestmod=hashlib.sha256) over the four JSON frames. */
const PYTHON_SIGNATURE = "badf898bc08b0e55bf088cda371bb6313ab47d1cfdb5399e467eb6e56806a9fe";

const strings = (frames: Buffer[]) => frames.map((f) => f.toString("utf8"));

describe("encodeWire", () => {
  it("lays out identities, delimiter, HMAC-SHA256 hex signature and the four JSON frames", () => {
    const frames = encodeWire(kernelInfoRequest, KEY, [Buffer.from("client-id")]);
    assert.deepEqual(strings(frames), ["client-id", "<IDS|MSG>", PYTHON_SIGNATURE, HEADER_JSON, "{}", "{}", "{}"]);
  });

  it("writes an empty signature when the key is empty", () => {
    const frames = encodeWire(kernelInfoRequest, "");
    assert.deepEqual(strings(frames), ["<IDS|MSG>", "", HEADER_JSON, "{}", "{}", "{}"]);
  });

  it("appends binary buffers as raw frames after the content", () => {
    const msg = { ...kernelInfoRequest, buffers: [new Uint8Array([0, 255, 7])] };
    const frames = encodeWire(msg, KEY);
    assert.equal(frames.length, 7);
    assert.deepEqual([...(frames[6] ?? [])], [0, 255, 7]);
  });
});

describe("decodeWire", () => {
  it("accepts frames signed by Python with the same key and restores the message", () => {
    const frames = [Buffer.from("id-a"), Buffer.from("id-b"), Buffer.from("<IDS|MSG>"), Buffer.from(PYTHON_SIGNATURE)];
    frames.push(Buffer.from(HEADER_JSON), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}"));
    const { identities, message } = decodeWire(frames, KEY, "shell");
    assert.deepEqual(strings(identities), ["id-a", "id-b"]);
    assert.deepEqual(message, kernelInfoRequest);
  });

  it("round-trips a message with a parent header and buffers", () => {
    const request = makeMessage("execute_request", { code: "1 + 1" }, { session: "client", channel: "shell" });
    const msg = makeMessage(
      "comm_msg",
      { comm_id: "c", data: { x: 1 } },
      { session: "kernel", channel: "iopub", parent: request.header, buffers: [new Uint8Array([1, 2, 3])] },
    );
    const { message } = decodeWire(encodeWire(msg, KEY, [Buffer.from("comm_msg")]), KEY, "iopub");
    assert.deepEqual(message.parent_header, request.header);
    assert.deepEqual(message.content, { comm_id: "c", data: { x: 1 } });
    assert.deepEqual([...(message.buffers[0] ?? [])], [1, 2, 3]);
    assert.equal(message.channel, "iopub");
  });

  it("rejects a tampered content frame (bad HMAC)", () => {
    const frames = encodeWire(makeMessage("execute_request", { code: "1" }, { session: "s", channel: "shell" }), KEY);
    frames[frames.length - 1] = Buffer.from('{"code":"process.exit(1)"}');
    assert.throws(() => decodeWire(frames, KEY, "shell"), { name: "WireError", message: "bad HMAC signature" });
  });

  it("rejects a message signed with another key", () => {
    const frames = encodeWire(kernelInfoRequest, "other key");
    assert.throws(() => decodeWire(frames, KEY, "shell"), { name: "WireError", message: "bad HMAC signature" });
  });

  it("rejects a signature of the wrong length without comparing", () => {
    const frames = encodeWire(kernelInfoRequest, KEY);
    frames[1] = Buffer.from("abc");
    assert.throws(() => decodeWire(frames, KEY, "shell"), { message: "bad HMAC signature" });
  });

  it("rejects an unsigned message when a key is set", () => {
    const frames = encodeWire(kernelInfoRequest, "");
    assert.throws(() => decodeWire(frames, KEY, "shell"), { message: "message is not signed" });
  });

  it("ignores the signature when the key is empty (spec: signing disabled)", () => {
    const frames = encodeWire(kernelInfoRequest, KEY);
    assert.deepEqual(decodeWire(frames, "", "shell").message, kernelInfoRequest);
  });

  it("rejects frames without the <IDS|MSG> delimiter", () => {
    const frames = encodeWire(kernelInfoRequest, KEY).filter((f) => f.toString() !== "<IDS|MSG>");
    assert.throws(() => decodeWire(frames, KEY, "shell"), { message: "missing <IDS|MSG> delimiter" });
  });

  it("rejects a message cut short after the delimiter", () => {
    const frames = encodeWire(kernelInfoRequest, KEY).slice(0, 4);
    assert.throws(() => decodeWire(frames, KEY, "shell"), {
      message: "expected a signature and 4 JSON frames after <IDS|MSG>, got 3 frames",
    });
  });

  it("rejects a frame that is not JSON, naming the frame", () => {
    const parts = [Buffer.from(HEADER_JSON), Buffer.from("{}"), Buffer.from("{"), Buffer.from("{}")];
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(""), ...parts];
    assert.throws(
      () => decodeWire(frames, "", "shell"),
      (e: unknown) => {
        assert.ok(e instanceof WireError);
        assert.match(e.message, /^metadata frame is not valid JSON/);
        return true;
      },
    );
  });

  it("rejects a well-signed message whose content lacks required fields", () => {
    const msg = makeMessage("execute_request", { code: "1" }, { session: "s", channel: "shell" });
    const frames = encodeWire({ ...msg, content: { silent: true } as never }, KEY);
    assert.throws(() => decodeWire(frames, KEY, "shell"), { message: "execute_request content.code must be a string" });
  });

  it("rejects an unknown msg_type", () => {
    const header = HEADER_JSON.replace("kernel_info_request", "debug_request");
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(""), Buffer.from(header), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    assert.throws(() => decodeWire(frames, "", "control"), { message: 'unknown msg_type "debug_request"' });
  });
});
