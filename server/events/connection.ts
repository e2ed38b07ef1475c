import type pg from "pg";
import type { WebSocket } from "ws";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { StreamEvent } from "../../contracts/events.ts";
import { readEvents } from "../../queue/sql/events.ts";
import type { EventHub, LiveSubscriber } from "./hub.ts";

export interface EventStreamOptions {
  /** Events after this seq are sent. */
  after: number;
  /** Only this run's events. */
  runId: string | undefined;
  /** Bytes queued on the socket past which live events stop and the connection pages from the database. */
  bufferBytes: number;
}

/** Events read per page while catching up. */
const PAGE = 200;
const RETRY_MS = 1000;

/**
 * One subscriber of `/api/lightbook/events`: each message is one event (contracts/events.ts
 * `streamEvent`), in seq order, each exactly once. It starts by paging from the database (events
 * after `after`), then takes live events from the hub. A client that reads slower than events
 * come fills its socket: past `bufferBytes` queued, the connection leaves the hub and pages from
 * the database again, one page at a time, each sent only when the socket took the last, until it
 * has caught up. The server holds at most the buffer and one page per connection, however far
 * behind the client is.
 */
export class EventStreamConnection implements LiveSubscriber {
  /** Every event up to this seq was sent or filtered out. */
  position: number;
  private paging = false;
  private closed = false;
  /** The most bytes this connection had queued on its socket. */
  peakBuffered = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly hub: EventHub,
    private readonly pool: pg.Pool,
    private readonly opts: EventStreamOptions,
    private readonly log: Logger,
    private readonly onClose: () => void,
  ) {
    this.position = opts.after;
  }

  connect(): void {
    this.ws.on("close", () => this.disconnect());
    this.ws.on("error", (e) => this.log.debug({ err: e.message }, "event stream socket error"));
    // Messages from the client mean nothing; the query string said everything.
    void this.catchUp();
  }

  disconnect(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.unsubscribe(this);
    this.onClose();
  }

  onEvents(from: number, to: number, events: StreamEvent[]): void {
    if (this.closed) return;
    if (from > this.position) {
      // Cannot happen while live (the hub hands every batch on); should it, the database has them.
      this.leaveLive();
      return;
    }
    for (const e of events) {
      if (e.seq <= this.position || !this.wanted(e)) continue;
      if (this.ws.bufferedAmount > this.opts.bufferBytes) {
        // The client is behind: stop queueing here; what follows is read from the database when it has read this.
        this.position = e.seq - 1;
        this.leaveLive();
        return;
      }
      this.send(e);
      this.position = e.seq;
    }
    this.position = Math.max(this.position, to);
  }

  private leaveLive(): void {
    this.hub.unsubscribe(this);
    void this.catchUp();
  }

  private wanted(e: StreamEvent): boolean {
    return this.opts.runId === undefined || ("run_id" in e && e.run_id === this.opts.runId);
  }

  private send(e: StreamEvent, done?: () => void): void {
    this.ws.send(JSON.stringify(e), done);
    this.peakBuffered = Math.max(this.peakBuffered, this.ws.bufferedAmount);
  }

  /** Pages from the database up to the hub's last seq, then joins the hub (in the same tick as the check, so no batch falls between). */
  private async catchUp(): Promise<void> {
    if (this.paging) return;
    this.paging = true;
    try {
      while (!this.closed) {
        const upTo = this.hub.last;
        if (this.position >= upTo) {
          this.paging = false;
          this.hub.subscribe(this);
          return;
        }
        let page: StreamEvent[];
        try {
          page = await readEvents(this.pool, { after: this.position, upTo, limit: PAGE, runId: this.opts.runId });
        } catch (e: unknown) {
          // PostgreSQL away (a restart): try again; the client keeps its socket and loses nothing.
          this.log.debug({ err: coerceError(e).message }, "paging events failed; retrying");
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        for (const e of page) {
          if (this.closed) return;
          if (this.ws.bufferedAmount > this.opts.bufferBytes) {
            // Wait until the socket has taken this one (and so everything before it).
            await new Promise<void>((resolve) => this.send(e, () => resolve()));
          } else this.send(e);
          this.position = e.seq;
        }
        if (page.length < PAGE) this.position = upTo;
      }
    } finally {
      this.paging = false;
    }
  }
}
