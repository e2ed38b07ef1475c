import type pg from "pg";
import { WebSocketServer } from "ws";
import type { Logger } from "../../runtime/log.ts";
import { eventsQuery } from "../../contracts/events.ts";
import { firstIssue } from "../../contracts/parse.ts";
import { refuseUpgrade, type WebSocketEndpoint } from "../http/ws-upgrade.ts";
import { EventStreamConnection } from "./connection.ts";
import type { EventHub } from "./hub.ts";
import type { Principal } from "../../contracts/accounts.ts";

/** What /metrics reports of the event stream. */
export interface EventStreamStats {
  /** Connections open now, and how many of them are pushed to live (the rest page from the database). */
  connections(): { open: number; live: number };
  /** The most bytes any connection had queued on its socket (bounded by LIGHTBOOK_EVENT_BUFFER_BYTES plus one event). */
  peakBuffered(): number;
}

/**
 * `/api/lightbook/events?after=<seq>&run=<id>`: the event stream over a WebSocket (authenticated
 * and origin-checked like the kernel channels, server/http/ws-upgrade.ts). One JSON event per
 * message; a client resumes with `after=` the last seq it got.
 */
export function eventStreamEndpoint(
  hub: EventHub,
  pool: pg.Pool,
  bufferBytes: number,
  /** Whether the principal may follow this run's events (the authorizer over the run's owner and proposal). */
  mayFollow: (principal: Principal, runId: string | undefined) => Promise<boolean>,
  log: Logger,
): WebSocketEndpoint & EventStreamStats {
  // Clients send nothing that matters: a small limit on what they may send.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const open = new Set<EventStreamConnection>();
  let peak = 0;
  return {
    path: /^\/api\/lightbook\/events$/,
    accept(req, socket, head, url, _match, principal, opened) {
      const q = eventsQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!q.success) return refuseUpgrade(socket, 400, `Invalid query: ${firstIssue(q.error)}`);
      const follow = () =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          opened(ws);
          const c: EventStreamConnection = new EventStreamConnection(
            ws,
            hub,
            pool,
            { after: q.data.after ?? hub.last, runId: q.data.run, bufferBytes },
            log,
            () => {
              peak = Math.max(peak, c.peakBuffered);
              open.delete(c);
            },
          );
          open.add(c);
          c.connect();
        });
      const run = q.data.run;
      mayFollow(principal, run).then(
        (ok) => {
          if (ok) return follow();
          // Every run's events (ids, states, counts) are the service's: a user follows one of theirs, and pages poll instead.
          if (run === undefined) return refuseUpgrade(socket, 403, "Only admins may follow every run's events: name one of yours with ?run=<id>");
          refuseUpgrade(socket, 404, `Run not found: ${run}`);
        },
        () => refuseUpgrade(socket, 503, "Authorization is unavailable"),
      );
    },
    connections: () => ({ open: open.size, live: hub.subscribers }),
    peakBuffered: () => Math.max(peak, ...[...open].map((c) => c.peakBuffered)),
  };
}
