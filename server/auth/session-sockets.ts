import type { WebSocket } from "ws";

/** Close code for a WebSocket whose login session ended (4000-4999 are the application's). */
export const SESSION_ENDED = 4001;

/** Open WebSockets by login session, so logging out ends them at once (issue 13, item 7). */
export class SessionSockets {
  private readonly open = new Map<string, Set<WebSocket>>();

  add(sessionKey: string, ws: WebSocket): void {
    let set = this.open.get(sessionKey);
    if (!set) this.open.set(sessionKey, (set = new Set()));
    set.add(ws);
    ws.once("close", () => {
      set.delete(ws);
      if (set.size === 0 && this.open.get(sessionKey) === set) this.open.delete(sessionKey);
    });
  }

  /** Closes the session's sockets; returns how many were open. */
  end(sessionKey: string): number {
    const set = this.open.get(sessionKey);
    this.open.delete(sessionKey);
    for (const ws of set ?? []) ws.close(SESSION_ENDED, "logged out");
    return set?.size ?? 0;
  }
}
