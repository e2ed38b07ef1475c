import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { Principal } from "../../contracts/accounts.ts";
import type { Auth } from "../auth/auth.ts";
import { scopeRefusal } from "../auth/scopes.ts";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";

/**
 * One WebSocket endpoint: its path, and what takes an authenticated, origin- and scope-checked
 * upgrade on it. It hands every socket it opens to `opened`, which ties it to the login session.
 */
export interface WebSocketEndpoint {
  path: RegExp;
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, match: RegExpExecArray, principal: Principal, opened: (ws: WebSocket) => void): void;
}

/** Answers an upgrade request with an HTTP error instead of a WebSocket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The server's one `upgrade` listener: every WebSocket endpoint (kernel channels, the event
 * stream) gets its upgrades only after the token or cookie is checked, the origin is this
 * server's own (or LIGHTBOOK_ALLOW_ORIGINS) and a token's scopes allow it, and every socket opened
 * with a login session closes when it ends (logout), so no endpoint can forget any of them.
 */
export function acceptWebSockets(server: Server, auth: Auth, endpoints: WebSocketEndpoint[], log: Logger): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgrading socket without an error listener: a client that resets it while
    // we refuse it would otherwise crash the server (an unhandled 'error' event).
    socket.on("error", (e) => log.debug({ err: e.message }, "WebSocket upgrade socket error"));
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://x");
    } catch {
      return refuseUpgrade(socket, 400, "Invalid request URL");
    }
    for (const endpoint of endpoints) {
      const match = endpoint.path.exec(url.pathname);
      if (!match) continue;
      auth.authenticate(req).then(
        (a) => {
          if (a.kind !== "ok") return refuseUpgrade(socket, 401, a.kind === "refused" ? a.message : "Authentication required");
          if (!auth.originOk(req, a.principal)) return refuseUpgrade(socket, 403, "WebSocket origin not allowed");
          const scope = scopeRefusal(a.principal, "GET", url.pathname);
          if (scope) return refuseUpgrade(socket, 403, scope);
          const { sessionKey } = a.principal;
          endpoint.accept(req, socket, head, url, match, a.principal, (ws) => {
            if (sessionKey !== null) auth.sockets.add(sessionKey, ws);
          });
        },
        (e: unknown) => {
          log.error({ err: coerceError(e).message }, "WebSocket authentication failed");
          refuseUpgrade(socket, 503, "Authentication is unavailable");
        },
      );
      return;
    }
    refuseUpgrade(socket, 404, "No WebSocket endpoint here");
  });
}
