import type { Channel, Message } from "../../kernel/protocol/messages.ts";
import { isMessage } from "../../kernel/protocol/messages.ts";

/** The binary kernel WebSocket sub-protocol that @jupyterlab/services prefers. */
export const V1_PROTOCOL = "v1.kernel.websocket.jupyter.org";

export class FramingError extends Error {}

/**
 * `v1.kernel.websocket.jupyter.org` framing
 * (https://jupyter-server.readthedocs.io/en/latest/developers/websocket-protocols.html):
 * a little-endian uint64 count n, n uint64 offsets, then channel, header, parent_header,
 * metadata, content and buffers at those offsets; the last offset is the end.
 */
export function encodeV1(msg: Message): Buffer {
  const parts = [
    Buffer.from(msg.channel),
    Buffer.from(JSON.stringify(msg.header)),
    Buffer.from(JSON.stringify(msg.parent_header ?? {})),
    Buffer.from(JSON.stringify(msg.metadata ?? {})),
    Buffer.from(JSON.stringify(msg.content ?? {})),
    ...(msg.buffers ?? []).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
  ];
  const count = parts.length + 1;
  const head = Buffer.alloc(8 * (count + 1));
  head.writeBigUInt64LE(BigInt(count), 0);
  let offset = head.length;
  head.writeBigUInt64LE(BigInt(offset), 8);
  parts.forEach((p, i) => {
    offset += p.length;
    head.writeBigUInt64LE(BigInt(offset), 8 * (i + 2));
  });
  return Buffer.concat([head, ...parts]);
}

export function decodeV1(data: Buffer): Message {
  if (data.length < 8) throw new FramingError("frame shorter than its offset count");
  const count = Number(data.readBigUInt64LE(0));
  if (count < 6 || 8 * (count + 1) > data.length) throw new FramingError(`bad offset count ${count}`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(Number(data.readBigUInt64LE(8 * (i + 1))));
  for (let i = 0; i < count; i++) {
    const o = offsets[i]!;
    if (o > data.length || (i > 0 && o < offsets[i - 1]!)) throw new FramingError("offsets out of order or out of range");
  }
  const part = (i: number) => data.subarray(offsets[i]!, offsets[i + 1]!);
  const json = (i: number): unknown => {
    try {
      return JSON.parse(part(i).toString("utf8"));
    } catch {
      throw new FramingError(`part ${i} is not JSON`);
    }
  };
  const candidate = {
    channel: part(0).toString("utf8"),
    header: json(1),
    parent_header: json(2),
    metadata: json(3),
    content: json(4),
    buffers: offsets.slice(5, -1).map((_, j) => new Uint8Array(part(5 + j))),
  };
  return checked(candidate);
}

/** The legacy protocol (no sub-protocol): one JSON text frame per message. */
export function encodeJson(msg: Message): string {
  const { buffers: _b, ...rest } = msg;
  return JSON.stringify(rest);
}

export function decodeJson(text: string): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FramingError("message is not JSON");
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return checked({ buffers: [], metadata: {}, parent_header: {}, ...value });
  throw new FramingError("message is not a JSON object");
}

const CLIENT_CHANNELS: ReadonlySet<Channel> = new Set(["shell", "control", "stdin"]);

function checked(candidate: unknown): Message {
  if (!isMessage(candidate)) throw new FramingError("not a Jupyter message (header, channel or content missing)");
  if (!CLIENT_CHANNELS.has(candidate.channel)) throw new FramingError(`clients cannot send on channel ${candidate.channel}`);
  return candidate;
}
