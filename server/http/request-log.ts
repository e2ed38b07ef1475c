import type { RequestHandler } from "express";
import type { Logger } from "../../runtime/log.ts";

/** One debug line per request: method, path without its query (where a token may be), status, time. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - start) / 1e6 }, "request");
    });
    next();
  };
}
