/**
 * What went wrong, in the domain's terms. Domain code (runs, contents, kernels, the analysis
 * library) throws these; the server maps each kind to an HTTP status in one place
 * (server/http/errors.ts), agents record the message on the task, cells print it.
 */
export type ErrorKind = "invalid" | "not_found" | "forbidden" | "conflict" | "too_large" | "unprocessable" | "unavailable";

export class DomainError extends Error {
  /** More for the client than the message: fields the error response carries beside it (e.g. a save conflict's cells). */
  readonly details: Record<string, unknown> | undefined;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/** Input that can never succeed as given: a bad parameter, a path outside its root, a missing file named in a request. */
export class InvalidInputError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("invalid", message, options);
  }
}

/** A thing that was asked for by name and does not exist (a run, a kernel, a notebook). */
export class NotFoundDomainError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("not_found", message, options);
  }
}

/** An error that becomes an HTTP response with this status and a user-facing message (protocol-level: auth, routing). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Short machine-readable reason, as Jupyter Server's `reason` field. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** Whatever was thrown, as an Error (catch clauses receive `unknown`). */
export function coerceError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === "string" ? e : JSON.stringify(e));
}
