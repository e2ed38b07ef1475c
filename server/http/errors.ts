import type { ErrorRequestHandler, RequestHandler } from "express";
import { DomainError, HttpError, type ErrorKind } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";

/** Each kind of domain error as an HTTP status and Jupyter Server's `reason`. */
const STATUS: Record<ErrorKind, [number, string]> = {
  invalid: [400, "Bad Request"],
  forbidden: [403, "Forbidden"],
  not_found: [404, "Not Found"],
  conflict: [409, "Conflict"],
  too_large: [413, "Payload Too Large"],
  unprocessable: [422, "Unprocessable Entity"],
  unavailable: [503, "Service Unavailable"],
};

/** A thrown error as the response it becomes; undefined for an unexpected one (a 500). */
export function asHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) {
    const [status, reason] = STATUS[err.kind];
    return new HttpError(status, err.message, reason);
  }
  return undefined;
}

/**
 * The one place errors become responses: JSON `{message, reason}` as Jupyter Server sends,
 * never a stack trace. Unexpected errors are logged with their stack and answered with 500.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = asHttpError(err);
    if (known) {
      const details = err instanceof DomainError ? err.details : undefined;
      res.status(known.status).json({ ...details, message: known.message, reason: known.reason ?? null });
      return;
    }
    // body-parser errors carry a status (400 bad JSON, 413 too large) and a safe message.
    const status = typeof err === "object" && err !== null && "status" in err ? Number(err.status) : 500;
    if (status >= 400 && status < 500) {
      res.status(status).json({ message: bodyParserMessage(err), reason: null });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, "request failed");
    res.status(500).json({ message: "Internal server error", reason: null });
  };
}

/** body-parser's own words, with the limit spelled out for a body that is too large. */
function bodyParserMessage(err: unknown): string {
  if (!(err instanceof Error)) return "Bad request";
  const { type, length, limit } = err as Error & { type?: string; length?: number; limit?: number };
  if (type === "entity.too.large" && limit !== undefined)
    return `request body of ${length ?? "more than " + limit} bytes is over this endpoint's limit of ${limit} bytes`;
  return err.message;
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `No such endpoint: ${req.method} ${req.path}`, "Not Found"));
};
