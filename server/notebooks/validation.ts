import { z } from "../../contracts/zod.ts";
import { InvalidInputError } from "../../runtime/errors.ts";
import { normalizeContentsPath } from "../contents/paths.ts";

/** What a revisions URL names: the list, one revision, or a restore of one. */
export type RevisionsTarget = { kind: "list"; path: string } | { kind: "revision" | "restore"; path: string; id: string };

// The notebook path may hold slashes; it is the longest prefix before a `/revisions` tail.
export const REVISIONS_ROUTE = /^\/api\/lightbook\/notebooks\/(.+)\/revisions(?:\/([^/]+)(\/restore)?)?\/?$/;
const revisionId = z.uuid();

/** The target of a still percent-encoded request path, its notebook path contained as the contents API's; null if it is no revisions URL. */
export function revisionsTarget(rawPath: string): RevisionsTarget | null {
  const m = REVISIONS_ROUTE.exec(rawPath);
  if (!m) return null;
  const path = normalizeContentsPath(m[1]!);
  if (path === "") throw new InvalidInputError("A notebook path is required");
  if (m[2] === undefined) return { kind: "list", path };
  const id = revisionId.safeParse(decodeURIComponent(m[2]));
  if (!id.success) throw new InvalidInputError(`Not a revision id: ${JSON.stringify(m[2])}`);
  return { kind: m[3] ? "restore" : "revision", path, id: id.data };
}
