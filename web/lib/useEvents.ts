"use client";

import { useEffect, useRef, useState } from "react";
import { streamEvent, type StreamEvent } from "../../contracts/events";
import { getMe } from "./adminApi";

/** Events are handed on in batches at most this often, so a 10,000-task run re-renders a few times a second, not per event. */
const FLUSH_MS = 250;
const BACKOFF_MS = { first: 1000, max: 30_000 };

let everyRun: Promise<boolean> | undefined;

/** Every run's events are the admins' (the server refuses others, who poll instead); asked once per page load. */
function mayFollowEveryRun(): Promise<boolean> {
  everyRun ??= getMe().then(
    (me) => me.role === "admin",
    () => true,
  );
  return everyRun;
}

/**
 * Subscribes to the server's event stream (`/api/lightbook/events`, one run's with `run`) while
 * mounted, with the page's session cookie. `onEvents` gets every event once, in order, in batches.
 * A dropped connection is opened again (backoff 1 s, doubling to 30 s) from the last seq, so
 * nothing is missed; `onResume` is called then too, for a page to reload what it shows in case
 * the server's retention dropped events meanwhile. Returns whether the stream is connected (pages
 * poll slowly as a safety net, and faster while it is not).
 */
export function useEvents(run: string | undefined, onEvents: (events: StreamEvent[]) => void, onResume?: () => void): boolean {
  const [connected, setConnected] = useState(false);
  const handlers = useRef({ onEvents, onResume });
  handlers.current = { onEvents, onResume };

  useEffect(() => {
    let stopped = false;
    let ws: WebSocket | undefined;
    let last: number | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let flush: ReturnType<typeof setTimeout> | undefined;
    let backoff = BACKOFF_MS.first;
    let opened = false;
    let batch: StreamEvent[] = [];
    const open = () => {
      const url = new URL("/api/lightbook/events", window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      if (last !== undefined) url.searchParams.set("after", String(last));
      if (run) url.searchParams.set("run", run);
      const socket = new WebSocket(url);
      ws = socket;
      socket.onopen = () => {
        setConnected(true);
        backoff = BACKOFF_MS.first;
        if (opened) handlers.current.onResume?.();
        opened = true;
      };
      socket.onmessage = (m: MessageEvent) => {
        if (typeof m.data !== "string") return;
        const r = streamEvent.safeParse(JSON.parse(m.data));
        if (!r.success) return;
        last = r.data.seq;
        batch.push(r.data);
        flush ??= setTimeout(() => {
          flush = undefined;
          const events = batch;
          batch = [];
          if (!stopped) handlers.current.onEvents(events);
        }, FLUSH_MS);
      };
      socket.onclose = () => {
        setConnected(false);
        if (stopped) return;
        retry = setTimeout(open, backoff);
        backoff = Math.min(BACKOFF_MS.max, backoff * 2);
      };
    };
    void (run === undefined ? mayFollowEveryRun() : Promise.resolve(true)).then((may) => {
      if (may && !stopped) open();
    });
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(flush);
      ws?.close();
    };
  }, [run]);

  return connected;
}
