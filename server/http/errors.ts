import type { ErrorRequestHandler, RequestHandler } from "express";
import { HttpError } from "../errors.ts";
import type { Logger } from "../log.ts";

/**
 * The one place errors become responses: JSON `{message, reason}` as Jupyter Server sends,
 * never a stack trace. Unexpected errors are logged with their stack and answered with 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ message: err.message, reason: err.reason ?? null });
      return;
    }
    // body-parser errors carry a status (400 bad JSON, 413 too large) and a safe message.
    const status = typeof err === "object" && err !== null && "status" in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) {
      const message = err instanceof Error ? err.message : "Bad request";
      res.status(status).json({ message, reason: null });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, "request failed");
    res.status(500).json({ message: "Internal server error", reason: null });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `No such endpoint: ${req.method} ${req.path}`, "Not Found"));
};
