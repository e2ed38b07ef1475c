/** An error answer of the server's runs API; apart from client.ts, which loads the contracts (zod), so that map.ts can check for it without them. */
export class RunsApiError extends Error {
  override name = "RunsApiError";

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
