import { ServerConnection } from "@jupyterlab/services";
import WebSocket from "ws";
import type { RunningServer } from "./server.ts";

/** @jupyterlab/services settings for Node: token auth (the server's, or a user's API token), `ws` as the WebSocket. */
export function serverSettings(server: RunningServer, token = server.token): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: server.url,
    wsUrl: server.url.replace(/^http/, "ws"),
    token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch: globalThis.fetch,
    Request: globalThis.Request,
    Headers: globalThis.Headers,
  });
}
