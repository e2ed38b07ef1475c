/**
 * Where cell output goes: stream text and rich outputs are published with the parent of the most
 * recent execution (as ipykernel does, so output of timers started by a cell lands under it).
 */
import process from "node:process";
import { formatWithOptions } from "node:util";
import type { IOPubPublisher } from "./handler.ts";
import type { ContentMap, IOPubMessageType, Stream } from "../protocol/messages.ts";

type StreamName = Stream["name"];

const FLUSH_INTERVAL_MS = 100;

/**
 * Stream text one cell may publish (LIGHTBOOK_KERNEL_OUTPUT_LIMIT characters, default 2^20): past it,
 * text is dropped and a note says so, so a cell printing a million lines keeps the kernel, the
 * server and the browser responsive.
 */
export const OUTPUT_LIMIT = (() => {
  const configured = Number(process.env.LIGHTBOOK_KERNEL_OUTPUT_LIMIT);
  return Number.isInteger(configured) && configured > 0 ? configured : 1 << 20;
})();

/** Drops everything; the target of `silent` executions (spec: they broadcast no output). */
export const DISCARD: IOPubPublisher = { publish: () => undefined };

export class Output {
  #target: IOPubPublisher | undefined;
  readonly #pending: Record<StreamName, string> = { stdout: "", stderr: "" };
  #flushScheduled = false;
  #pendingSince = 0;
  /** Stream characters published for the current target, and dropped past OUTPUT_LIMIT. */
  #published = 0;
  #dropped = 0;
  readonly #originalWrite = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };

  get target(): IOPubPublisher | undefined {
    return this.#target;
  }

  /** Flushes text pending for the previous target before switching; the new target's output limit starts afresh. */
  setTarget(target: IOPubPublisher | undefined): void {
    this.flush();
    this.#target = target;
    this.#published = 0;
    this.#dropped = 0;
  }

  /** Ends the current cell's output: flushes, and notes how much text the limit dropped. */
  finish(): void {
    this.flush();
    if (this.#dropped === 0) return;
    const note = `\n[output truncated: ${this.#dropped.toLocaleString("en")} more characters past the limit of ${OUTPUT_LIMIT.toLocaleString("en")} per cell (LIGHTBOOK_KERNEL_OUTPUT_LIMIT)]\n`;
    this.#dropped = 0;
    this.#target?.publish("stream", { name: "stderr", text: note });
  }

  /**
   * Writes from one event-loop turn are coalesced into one stream message while they go to the same
   * stream; a write to the other stream flushes first, so stdout and stderr interleave as printed.
   * A cell that keeps the loop busy still shows its output every FLUSH_INTERVAL_MS.
   */
  write(name: StreamName, text: string): void {
    if (!this.#target) {
      this.#originalWrite[name](text);
      return;
    }
    const room = OUTPUT_LIMIT - this.#published;
    if (text.length > room) {
      this.#dropped += text.length - Math.max(room, 0);
      if (room <= 0) return;
      text = text.slice(0, room);
    }
    this.#published += text.length;
    if (this.#pending[name === "stdout" ? "stderr" : "stdout"] !== "") this.flush();
    this.#pending[name] += text;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#pendingSince = Date.now();
      setImmediate(() => this.flush());
    } else if (Date.now() - this.#pendingSince >= FLUSH_INTERVAL_MS) {
      this.flush();
    }
  }

  flush(): void {
    this.#flushScheduled = false;
    this.#pendingSince = Date.now();
    for (const name of ["stdout", "stderr"] as const) {
      const text = this.#pending[name];
      if (text === "") continue;
      this.#pending[name] = "";
      this.#target?.publish("stream", { name, text });
    }
  }

  /** Publishes after any pending stream text, so outputs keep the order in which they happened. */
  publish<T extends IOPubMessageType>(msg_type: T, content: ContentMap[T], buffers?: Uint8Array[]): void {
    this.flush();
    this.#target?.publish(msg_type, content, buffers);
  }

  /**
   * Sends process.stdout/stderr (and so console.log/info and console.error/warn) into the notebook.
   * Only the kernel process does this; the kernel's own logs use file descriptor 2 directly.
   */
  captureProcessStreams(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        this.write(name, text);
        const callback = rest.find((arg): arg is () => void => typeof arg === "function");
        if (callback) queueMicrotask(callback);
        return true;
      }) as typeof stream.write;
    }
    // Node's Console adds and removes an 'error' listener on the stream for every call, which
    // made printing in a loop several times slower than ipykernel's print; these write directly.
    const direct =
      (name: StreamName) =>
      (...args: unknown[]) =>
        this.write(name, `${formatWithOptions({}, ...args)}\n`);
    Object.assign(console, { log: direct("stdout"), info: direct("stdout"), debug: direct("stdout"), error: direct("stderr"), warn: direct("stderr") });
  }
}
