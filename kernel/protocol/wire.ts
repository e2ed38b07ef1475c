/**
 * The ZMQ wire format of Jupyter messages, signed with HMAC-SHA256.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
 *
 *   [identities..., '<IDS|MSG>', hex signature, header, parent_header, metadata, content, buffers...]
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { describeInvalidMessage, type Channel, type Message } from "./messages.ts";

export const DELIMITER = Buffer.from("<IDS|MSG>");

/** A frame sequence that is not an authentic, well-formed message; the message says what is wrong. */
export class WireError extends Error {
  override name = "WireError";
}

/** Hex HMAC-SHA256 of the four JSON frames; '' when the key is empty (spec: signing disabled). */
export function signFrames(key: string, frames: readonly Uint8Array[]): string {
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest("hex");
}

export function encodeWire(msg: Message, key: string, identities: Buffer[] = []): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((part) => Buffer.from(JSON.stringify(part)));
  const buffers = msg.buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return [...identities, DELIMITER, Buffer.from(signFrames(key, parts)), ...parts, ...buffers];
}

function parseJsonFrame(frame: Buffer, name: string): unknown {
  try {
    return JSON.parse(frame.toString("utf8"));
  } catch (e: unknown) {
    throw new WireError(`${name} frame is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function assertWireMessage(x: unknown): asserts x is Message {
  const problem = describeInvalidMessage(x);
  if (problem !== null) throw new WireError(problem);
}

/**
 * Verify and parse frames received on `channel`. With a non-empty key the signature must match
 * (compared in constant time); with an empty key it is ignored, as the spec says.
 */
export function decodeWire(frames: Buffer[], key: string, channel: Channel): { identities: Buffer[]; message: Message } {
  const delimiter = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiter < 0) throw new WireError("missing <IDS|MSG> delimiter");
  const [signature, header, parent, metadata, content] = frames.slice(delimiter + 1, delimiter + 6);
  if (signature === undefined || header === undefined || parent === undefined || metadata === undefined || content === undefined) {
    throw new WireError(`expected a signature and 4 JSON frames after <IDS|MSG>, got ${frames.length - delimiter - 1} frames`);
  }
  if (key !== "") {
    const expected = Buffer.from(signFrames(key, [header, parent, metadata, content]));
    if (signature.length === 0) throw new WireError("message is not signed");
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw new WireError("bad HMAC signature");
    }
  }
  const message = {
    header: parseJsonFrame(header, "header"),
    parent_header: parseJsonFrame(parent, "parent_header"),
    metadata: parseJsonFrame(metadata, "metadata"),
    content: parseJsonFrame(content, "content"),
    buffers: frames.slice(delimiter + 6),
    channel,
  };
  assertWireMessage(message);
  return { identities: frames.slice(0, delimiter), message };
}
