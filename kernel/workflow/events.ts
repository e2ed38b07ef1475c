/**
 * A cell's subscription to one run's events (`/api/lightbook/events?run=<id>`, contracts/events.ts)
 * over Node's global WebSocket: `map` learns of progress and of the run's end as they are
 * committed instead of long-polling. The stream is a hint to ask sooner; the run's REST state stays
 * the truth, so a socket that cannot open or drops only means falling back to long-polling.
 */
import { streamEvent, type StreamEvent } from "../../contracts/events.ts";
import { TERMINAL_RUN_STATES, type RunState } from "../../contracts/runs.ts";

/** How long a cell waits for the socket before following the run by long polling alone. */
const OPEN_TIMEOUT_MS = 1000;

export class RunEvents {
  readonly #ws: WebSocket | undefined;
  #wake: (() => void) | undefined;
  #pending = false;
  /** The socket is open and has not failed. */
  live = false;
  /** Settles when the socket opened or failed (at most `OPEN_TIMEOUT_MS`). */
  readonly ready: Promise<void>;
  /** The run's end, once its `run.state` event came. */
  ended: (StreamEvent & { kind: "run.state" }) | undefined;

  constructor(apiUrl: string, token: string, runId: string) {
    let settle!: () => void;
    this.ready = new Promise<void>((resolve) => (settle = resolve));
    if (typeof WebSocket === "undefined") {
      settle();
      return;
    }
    const timer = setTimeout(settle, OPEN_TIMEOUT_MS);
    const url = new URL("api/lightbook/events", apiUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // From the run's first event: it may have ended before the socket opened.
    url.searchParams.set("after", "0");
    url.searchParams.set("run", runId);
    // A browser-style WebSocket sets no headers: the token goes in the query, as the server accepts for WebSockets.
    url.searchParams.set("token", token);
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      this.live = true;
      clearTimeout(timer);
      settle();
    };
    ws.onmessage = (m: MessageEvent) => {
      if (typeof m.data !== "string") return;
      const r = streamEvent.safeParse(JSON.parse(m.data));
      if (!r.success) return;
      const e = r.data;
      if (e.kind === "run.state" && TERMINAL_RUN_STATES.includes(e.state as RunState)) this.ended = e;
      this.#notify();
    };
    ws.onerror = ws.onclose = () => {
      this.live = false;
      clearTimeout(timer);
      settle();
      this.#notify();
    };
  }

  /** Resolves at the next event (or one that came since the last wait), when the socket fails, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#pending || this.ended) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  close(): void {
    this.#ws?.close();
  }

  #notify(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
