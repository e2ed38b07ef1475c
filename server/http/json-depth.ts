import type { RequestHandler } from "express";
import { HttpError } from "../../runtime/errors.ts";

/**
 * The deepest JSON body accepted. JSON.parse reads any depth, but saving a body walks it
 * recursively (JSON.stringify, Prisma, PostgreSQL's jsonb), and a notebook whose metadata nests
 * 100,000 levels overflowed the stack there (a 500). nbformat documents nest a few dozen levels.
 */
export const MAX_JSON_DEPTH = 512;

/** Whether `value` nests objects or arrays more than `max` levels deep (`{}` is one level). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  // Iterative by hand (no library offers a depth check of parsed JSON): a recursive walk would
  // overflow on the very input it guards against.
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Refuses parsed JSON bodies nested deeper than {@link MAX_JSON_DEPTH} with a 400. */
export const limitJsonDepth: RequestHandler = (req, _res, next) => {
  if (nestedDeeperThan(req.body, MAX_JSON_DEPTH))
    next(new HttpError(400, `Invalid request body: JSON nested more than ${MAX_JSON_DEPTH} levels deep`, "Bad Request"));
  else next();
};
