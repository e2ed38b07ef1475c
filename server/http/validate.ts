import type { Request } from "express";
import { z } from "../../contracts/zod.ts";
import { HttpError, NotFoundDomainError } from "../../runtime/errors.ts";

const uuid = z.uuid();

/** A request body checked against its schema, or a 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  throw new HttpError(400, `Invalid request body: ${where}${issue.message}`, "Bad Request");
}

/** Query parameters checked against their schema, or a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new HttpError(400, `Invalid query: ${issue.path.join(".")}: ${issue.message}`, "Bad Request");
}

/** A path's id: one that is not a UUID names nothing (404), rather than reaching the database as a bad cast. */
export function idParam(req: Request, name: string, what: string): string {
  const raw = req.params[name];
  const id = uuid.safeParse(raw);
  if (!id.success) throw new NotFoundDomainError(`no ${what} ${String(raw)}`);
  return id.data;
}
