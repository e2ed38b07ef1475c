import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Auth } from "../auth/auth.ts";
import { HttpError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { KernelChannelsConnection } from "./channels.ts";
import type { KernelManager } from "./manager.ts";
import { V1_PROTOCOL } from "./ws-framing.ts";

const CHANNELS_PATH = /^\/api\/kernels\/([^/]+)\/channels$/;

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Not Found"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Accepts `/api/kernels/{id}/channels` WebSockets with a token or cookie from an allowed origin. */
export function acceptKernelWebSockets(server: Server, auth: Auth, kernels: KernelManager, log: Logger): WebSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024 * 1024,
    handleProtocols: (offered) => (offered.has(V1_PROTOCOL) ? V1_PROTOCOL : false),
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgrading socket without an error listener: a client that resets it while
    // we refuse it would otherwise crash the server (an unhandled 'error' event).
    socket.on("error", (e) => log.debug({ err: e.message }, "WebSocket upgrade socket error"));
    const url = new URL(req.url ?? "/", "http://x");
    const match = CHANNELS_PATH.exec(url.pathname);
    if (!match) return refuse(socket, 404, "No WebSocket endpoint here");
    const credential = auth.authenticate(req);
    if (!credential) return refuse(socket, 401, "Authentication required");
    if (!auth.originOk(req, credential)) return refuse(socket, 403, "WebSocket origin not allowed");
    let kernel;
    try {
      kernel = kernels.get(decodeURIComponent(match[1]!));
    } catch (e: unknown) {
      if (e instanceof HttpError) return refuse(socket, e.status, e.message);
      throw e;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      new KernelChannelsConnection(ws, kernel, url.searchParams.get("session_id") || randomUUID(), log).connect();
    });
  });
  return wss;
}
