import type { RequestHandler } from "express";
import { HttpError } from "../../runtime/errors.ts";

/**
 * The one reading of a request's path that every later decision uses (issue 12, item 4). Express
 * matches routes on the raw path while Next.js and static file servers decode and resolve it, so
 * `/_next/static/../../notebooks/x` looked public to the auth check and was a page to Next. A path
 * is decoded once here and refused when two readers could disagree about it: dot segments (also
 * percent-encoded), encoded or raw backslashes and encoded slashes (a segment that one reader
 * splits and another does not), a second level of encoding of those, NUL and control characters,
 * malformed escapes. Browsers never send any of these: they resolve dot segments themselves.
 * Repeated slashes pass (clients build such URLs), but no such path counts as public.
 */

export type RequestPath = { kind: "ok"; path: string } | { kind: "refused"; reason: string };

/** Escapes left after one decoding that would split or resolve the path if a later reader decoded again. */
const ENCODED_SEPARATOR = /%(?:2f|5c|2e)/i;

export function readRequestPath(url: string): RequestPath {
  if (!url.startsWith("/")) return { kind: "refused", reason: "the request target must be a path starting with /" };
  const raw = url.split(/[?#]/, 1)[0]!;
  if (raw.includes("\\")) return { kind: "refused", reason: "backslashes are not allowed in paths" };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { kind: "refused", reason: "the path has a malformed percent-escape" };
  }
  if (/%2f|%5c/i.test(raw) || decoded.includes("\\")) return { kind: "refused", reason: "encoded slashes and backslashes are not allowed in paths" };
  if (ENCODED_SEPARATOR.test(decoded)) return { kind: "refused", reason: "doubly encoded dots and slashes are not allowed in paths" };
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\x00-\x1f\x7f]/.test(decoded)) return { kind: "refused", reason: "control characters are not allowed in paths" };
  if (decoded.split("/").some((s) => s === "." || s === "..")) return { kind: "refused", reason: "dot segments (. and ..) are not allowed in paths" };
  return { kind: "ok", path: decoded };
}

/** Answers 400 to a path that `readRequestPath` refuses, before any route or the auth check reads it. */
export const refuseAmbiguousPaths: RequestHandler = (req, _res, next) => {
  const path = readRequestPath(req.originalUrl);
  next(path.kind === "refused" ? new HttpError(400, `Bad request path: ${path.reason}`, "Bad Request") : undefined);
};
