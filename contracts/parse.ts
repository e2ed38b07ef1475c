import type { z } from "zod";

/**
 * Values read back from the database or from an HTTP response are parsed with their contract,
 * not cast: a row or body that does not fit fails here, naming what it was and the first field
 * that is wrong, instead of surfacing later as an undefined somewhere else.
 */
export class ContractError extends Error {
  override name = "ContractError";
}

/** A zod issue path as one reads it in JSON: `cells[2].outputs[0].name`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

/** The first issue of a failed parse, as `where: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issuePath(issue.path) || "(top level)"}: ${issue.message}`;
}

/** `value` parsed by `schema`, or a ContractError saying which `what` (e.g. "run row 3f2…") does not fit. */
export function parseContract<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new ContractError(`${what} does not match its contract: ${firstIssue(r.error)}`);
}
