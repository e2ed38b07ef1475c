import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { RequestHandler } from "express";
import { WEB_DIR } from "./paths.ts";

const require = createRequire(import.meta.url);
const NEXT_BIN = require.resolve("next/dist/bin/next");
// next is CommonJS (`module.exports = createServer`); its typings describe an ES default export.
const createNext: typeof import("next/dist/server/next.js").default = require("next");

export function webIsBuilt(): boolean {
  return existsSync(path.join(WEB_DIR, ".next", "BUILD_ID"));
}

/** Builds the production web app (a first start on a fresh clone does this once). */
export function buildWeb(): void {
  const result = spawnSync(process.execPath, [NEXT_BIN, "build", WEB_DIR], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error(`building the web app failed (next build exited with ${result.status})`);
}

/**
 * The Next.js request handler for the built app, served by our own HTTP server. Next puts the
 * script nonce on its inline scripts when it finds one in the request's Content-Security-Policy
 * header (what its middleware recipe sets), so the response's policy is handed to it there; a
 * client's own header of that name is overwritten.
 */
export async function webHandler(): Promise<RequestHandler> {
  const app = createNext({ dev: false, dir: WEB_DIR });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => {
    const policy = res.getHeader("content-security-policy");
    if (typeof policy === "string") req.headers["content-security-policy"] = policy;
    else delete req.headers["content-security-policy"];
    void handle(req, res);
  };
}
