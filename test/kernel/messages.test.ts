import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  assertMessage,
  describeInvalidMessage,
  isExecuteRequest,
  isIOPubMessage,
  isMessage,
  isStreamMessage,
  makeHeader,
  PROTOCOL_VERSION,
} from "../../kernel/protocol/messages.ts";
import { isRequestType, makeMessage, replyTo } from "../../kernel/protocol/reply.ts";

describe("makeHeader", () => {
  it("fills every spec header field", () => {
    const header = makeHeader("execute_request", "session-1", "alice");
    assert.equal(header.msg_type, "execute_request");
    assert.equal(header.session, "session-1");
    assert.equal(header.username, "alice");
    assert.equal(header.version, PROTOCOL_VERSION);
    assert.match(header.msg_id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(header.date)));
  });
});

describe("isMessage", () => {
  const stream = makeMessage("stream", { name: "stdout", text: "hi\n" }, { session: "k", channel: "iopub" });

  it("accepts a well-formed message and narrows with per-type guards", () => {
    assert.ok(isMessage(stream));
    assert.ok(isStreamMessage(stream));
    assert.ok(isIOPubMessage(stream));
    assert.ok(!isExecuteRequest(stream));
  });

  it("says what is wrong with a malformed one", () => {
    assert.equal(describeInvalidMessage({ ...stream, channel: "web" }), "channel must be one of shell, control, iopub, stdin");
    assert.equal(describeInvalidMessage({ ...stream, content: { name: "stdout" } }), "stream content.text must be a string");
    assert.equal(describeInvalidMessage({ ...stream, header: { ...stream.header, msg_id: 1 } }), "header.msg_id must be a string");
    assert.equal(describeInvalidMessage({ ...stream, buffers: ["x"] }), "buffers must be an array of Uint8Array");
    assert.throws(() => assertMessage({ ...stream, metadata: null }), /Invalid Jupyter message: metadata must be an object/);
  });

  it("does not take a stream on shell for an iopub message", () => {
    assert.ok(!isIOPubMessage({ ...stream, channel: "shell" }));
  });
});

describe("replyTo", () => {
  it("answers on the request channel with the reply type and the request as parent", () => {
    const request = makeMessage("kernel_info_request", {}, { session: "client", channel: "control" });
    const reply = replyTo(request, { status: "error", ename: "E", evalue: "v", traceback: [] }, { m: 1 }, "kernel");
    assert.equal(reply.header.msg_type, "kernel_info_reply");
    assert.equal(reply.channel, "control");
    assert.deepEqual(reply.parent_header, request.header);
    assert.equal(reply.header.session, "kernel");
    assert.deepEqual(reply.metadata, { m: 1 });
    assert.ok(isMessage(reply));
  });

  it("knows which types are requests", () => {
    assert.ok(isRequestType("execute_request"));
    assert.ok(isRequestType("input_request"));
    assert.ok(!isRequestType("execute_reply"));
    assert.ok(!isRequestType("toString"));
  });
});
