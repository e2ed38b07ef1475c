import type { RequestHandler } from "express";
import type { AuditResult } from "../../contracts/audit.ts";
import { principalOf } from "../auth/middleware.ts";
import type { AuditLog } from "./audit-log.ts";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

function resultOf(status: number): AuditResult {
  return status >= 500 ? "failed" : status >= 400 ? "refused" : "ok";
}

/**
 * Every authenticated request that changes something (not GET, HEAD or OPTIONS) goes into the audit
 * trail when its answer is sent: the user, `<METHOD> <route pattern>`, the path (never the query,
 * which may hold a token) and the status. Runs submitted, saves, kernels started and stopped,
 * tokens and admin changes are all requests; reads are in the request log only.
 */
export function auditRequests(audit: AuditLog): RequestHandler {
  return (req, res, next) => {
    if (READS.has(req.method)) return next();
    const { username } = principalOf(res);
    res.once("finish", () => {
      // A pattern's source for the routes written as regular expressions (a path of any depth).
      const route = (req.route as { path?: string | RegExp } | undefined)?.path;
      audit.record({
        actor: username,
        action: `${req.method} ${route === undefined ? "(no route)" : route instanceof RegExp ? route.source : route}`,
        resource: new URL(req.originalUrl, "http://x").pathname,
        result: resultOf(res.statusCode),
        detail: { status: res.statusCode },
      });
    });
    next();
  };
}
