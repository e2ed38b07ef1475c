/**
 * The kernel's recent iopub messages, for a Jupyter client that was away when they were published
 * (ZMQ PUB drops messages no subscriber receives). Lightbook's server asks for them with
 * `lightbook_replay_request` after it restarts (kernel/README.md, "Replay").
 * Bounded by count and by encoded size; the oldest messages give way.
 */
import type { Message, ReplayedMessage } from "../protocol/messages.ts";

export interface ReplayLimits {
  messages: number;
  bytes: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { messages: 10_000, bytes: 32 * 2 ** 20 };

interface Entry {
  message: ReplayedMessage;
  bytes: number;
}

export class ReplayBuffer {
  readonly #limits: ReplayLimits;
  readonly #entries: Entry[] = [];
  /** Index of the oldest live entry: shifting a 10,000-element array per message would be quadratic. */
  #start = 0;
  #bytes = 0;
  #dropped = false;

  constructor(limits: ReplayLimits = DEFAULT_REPLAY_LIMITS) {
    this.#limits = limits;
  }

  /** `bytes`: the message's encoded size, as sent. */
  add(msg: Message, bytes: number): void {
    const { header, parent_header, metadata, content } = msg;
    this.#entries.push({ message: { header, parent_header, metadata, content }, bytes });
    this.#bytes += bytes;
    while (this.#entries.length - this.#start > this.#limits.messages || (this.#bytes > this.#limits.bytes && this.#entries.length - this.#start > 1)) {
      this.#bytes -= this.#entries[this.#start]!.bytes;
      this.#start++;
      this.#dropped = true;
    }
    if (this.#start > this.#limits.messages) {
      this.#entries.splice(0, this.#start);
      this.#start = 0;
    }
  }

  /** The messages after `after` (all of them for null); `complete` says whether `after` was still kept. */
  after(after: string | null): { messages: ReplayedMessage[]; complete: boolean } {
    const live = this.#entries.slice(this.#start).map((e) => e.message);
    if (after === null) return { messages: live, complete: !this.#dropped };
    const i = live.findLastIndex((m) => m.header.msg_id === after);
    return i < 0 ? { messages: live, complete: false } : { messages: live.slice(i + 1), complete: true };
  }
}
