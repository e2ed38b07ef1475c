import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Security headers on every response (issue 12, item 5), set by helmet. The policy, and why:
 * - scripts: this server's files, and Next's inline bootstrap scripts by a per-request nonce
 *   (Next reads it from the request's CSP header, see web.ts); no eval: vega draws with
 *   vega-interpreter. The H5Web page alone needs 'unsafe-eval' (ndarray, under H5Web, builds its
 *   array accessors with `new Function`); it is a static page that runs no notebook content.
 * - styles: 'unsafe-inline', because KaTeX and sanitized outputs carry style attributes and
 *   CodeMirror, vega-embed and H5Web insert <style> elements; what an output's style may say is
 *   decided by the sanitizer's allowlist (web/lib/inlineStyle.ts).
 * - images: this server, data: and blob: only: outputs never fetch from other sites.
 * - framing: no other page may frame Lightbook; only the H5Web page may be framed, by Lightbook itself.
 * HSTS is left to the TLS-terminating proxy: this server speaks plain HTTP.
 */

const NONCE_BYTES = 16;

/** Each response's nonce, for helmet's script-src (which is given the bare Node response). */
const nonces = new WeakMap<ServerResponse, string>();

function policy(page: "app" | "h5web"): RequestHandler {
  const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${nonces.get(res)}'`;
  const scripts = page === "h5web" ? ["'self'", "'unsafe-eval'"] : ["'self'", nonce];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: scripts,
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameSrc: ["'self'"],
        frameAncestors: [page === "h5web" ? "'self'" : "'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    xFrameOptions: { action: page === "h5web" ? "sameorigin" : "deny" },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: false,
  });
}

function isH5WebPage(path: string): boolean {
  return path === "/h5web" || path.startsWith("/h5web/");
}

/** Helmet's headers, with a fresh script nonce per response. */
export function securityHeaders(): RequestHandler {
  const app = policy("app");
  const h5web = policy("h5web");
  return (req, res, next) => {
    nonces.set(res, randomBytes(NONCE_BYTES).toString("base64"));
    (isH5WebPage(req.path) ? h5web : app)(req, res, next);
  };
}
