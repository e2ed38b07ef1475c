import { WebSocket } from "ws";
import { streamEvent, type StreamEvent } from "../../contracts/events.ts";
import { parseContract } from "../../contracts/parse.ts";
import type { RunningServer } from "./server.ts";
import { waitFor } from "./workflow.ts";

/** A client of /api/lightbook/events, as scripts connect (token header, no Origin); every message parsed with its contract. */
export interface Subscription {
  ws: WebSocket;
  events: StreamEvent[];
  /** Resolves once an event satisfies `pred` (looking at those already received too). */
  until(pred: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  close(): Promise<void>;
}

export async function subscribe(server: RunningServer, query: { after?: number; run?: string } = {}): Promise<Subscription> {
  const url = new URL("api/lightbook/events", server.url.replace(/^http/, "ws"));
  if (query.after !== undefined) url.searchParams.set("after", String(query.after));
  if (query.run !== undefined) url.searchParams.set("run", query.run);
  const ws = new WebSocket(url, { headers: { Authorization: `token ${server.token}` } });
  const events: StreamEvent[] = [];
  ws.on("message", (data: Buffer) => events.push(parseContract(streamEvent, JSON.parse(data.toString("utf8")), "an event stream message")));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    events,
    async until(pred, timeoutMs = 60_000) {
      let found: StreamEvent | undefined;
      await waitFor(
        () => (found = events.find(pred)) !== undefined,
        timeoutMs,
        () => `no such event in ${timeoutMs} ms; got ${events.length}: ${JSON.stringify(events.slice(-5))}`,
        20,
      );
      return found!;
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((r) => ws.once("close", r));
      ws.close();
      await closed;
    },
  };
}

/** Seqs strictly increasing: no event twice, none out of order. */
export function inOrder(events: StreamEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.seq > events[i - 1]!.seq);
}
