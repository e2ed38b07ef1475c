import pg from "pg";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { StreamEvent } from "../../contracts/events.ts";
import { deleteOldEvents, lastSeq, readEvents } from "../../queue/sql/events.ts";

/** A subscriber the hub pushes to: it has seen every event up to `position` (a global seq) and gets each batch read after it. */
export interface LiveSubscriber {
  readonly position: number;
  /** Events `from` < seq ≤ `to`, every kind and run (the subscriber filters). */
  onEvents(from: number, to: number, events: StreamEvent[]): void;
}

export interface EventHubOptions {
  databaseUrl: string;
  retentionMs: number;
}

const PAGE = 1000;
const BACKOFF_MS = { first: 100, max: 5000 };

/**
 * The server's one reader of the event table. One dedicated connection LISTENs on
 * `lightbook_events` (the table's trigger NOTIFYs each seq at commit); each notification makes the
 * hub read what committed after the last seq it read, once for all subscribers, and hand it to
 * the live ones. Seqs become visible in order (see the migration), so "seq > last" never skips
 * one. When PostgreSQL goes away the connection is opened again with backoff and the hub reads
 * everything committed meanwhile: nothing is lost, and nothing is read twice.
 */
export class EventHub {
  /** The newest seq read from the table: every event up to it has been handed to the live subscribers. */
  last = 0;
  private readonly live = new Set<LiveSubscriber>();
  private listener: pg.Client | undefined;
  private stopped = false;
  private pulling: Promise<void> | undefined;
  private again = false;
  private retention: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: EventHubOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.last = await lastSeq(this.pool);
    void this.listen();
    this.retention = setInterval(() => void this.prune(), Math.min(3_600_000, Math.max(1000, this.opts.retentionMs / 10)));
    this.retention.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retention);
    await this.listener?.end().catch(() => undefined);
    await this.pulling;
  }

  /** Pushes to `s` from now on; it must be at `last` (the caller checked, in the same tick). */
  subscribe(s: LiveSubscriber): void {
    this.live.add(s);
  }

  unsubscribe(s: LiveSubscriber): void {
    this.live.delete(s);
  }

  /** Subscribers pushed to now. */
  get subscribers(): number {
    return this.live.size;
  }

  /** Reads what committed after `last`; concurrent calls coalesce into one more read. */
  pull(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const events = await readEvents(this.pool, { after: this.last, limit: PAGE });
            if (events.length === 0) break;
            const from = this.last;
            this.last = events.at(-1)!.seq;
            for (const s of [...this.live]) s.onEvents(from, this.last, events);
            if (events.length < PAGE) break;
          }
        } while (this.again && !this.stopped);
      } catch (e: unknown) {
        // The database is away; the listener's reconnect reads again.
        this.log.warn({ err: coerceError(e).message }, "reading events failed");
      } finally {
        this.pulling = undefined;
      }
    })();
    return this.pulling;
  }

  private async listen(): Promise<void> {
    let backoff = BACKOFF_MS.first;
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.opts.databaseUrl });
      // `on`, not `once`: a dying connection can emit a second error, and an error event without a listener ends the process.
      const gone = new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.once("end", () => resolve());
      });
      try {
        await client.connect();
        this.listener = client;
        client.on("notification", (n) => {
          if (n.channel === "lightbook_events") void this.pull();
        });
        await client.query("listen lightbook_events");
        backoff = BACKOFF_MS.first;
        // Whatever committed while no connection listened.
        void this.pull();
        await gone;
        if (!this.stopped) this.log.warn("event listener connection lost; reconnecting");
      } catch (e: unknown) {
        this.log.debug({ err: coerceError(e).message }, "event listener could not connect");
      }
      await client.end().catch(() => undefined);
      if (this.stopped) break;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(BACKOFF_MS.max, backoff * 2);
    }
  }

  private async prune(): Promise<void> {
    try {
      let n: number;
      do n = await deleteOldEvents(this.pool, this.opts.retentionMs, 10_000);
      while (n === 10_000 && !this.stopped);
    } catch (e: unknown) {
      this.log.warn({ err: coerceError(e).message }, "deleting old events failed");
    }
  }
}
