/** An error that becomes an HTTP response with this status and a user-facing message. */
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
