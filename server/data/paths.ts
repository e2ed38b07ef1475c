import { realpath } from "node:fs/promises";
import path from "node:path";
import { normalizeContentsPath } from "../contents/paths.ts";
import { HttpError } from "../errors.ts";

export interface DataPath {
  /** Relative to the data root, "/"-separated ("" is the root). */
  relative: string;
  /** The real absolute path on disk, symlinks resolved. */
  absolute: string;
}

function isInside(root: string, candidate: string): boolean {
  // `root + sep`, so that a sibling such as /data-evil does not pass as inside /data.
  return candidate === root || candidate.startsWith(root + path.sep);
}

function isMissing(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e.code === "ENOENT" || e.code === "ENOTDIR");
}

/**
 * Resolves a request path (still percent-encoded, relative to the data root) to a file on disk.
 * Refused: absolute paths, `..`/`.` and encoded dots or slashes (by normalizeContentsPath), and
 * anything whose real path (after symlinks) is not inside the real data root.
 */
export async function resolveDataPath(root: string, raw: string): Promise<DataPath> {
  if (raw.startsWith("/") || /^%2f/i.test(raw)) throw new HttpError(400, "Data paths are relative to the data root", "Bad Request");
  const relative = normalizeContentsPath(raw);
  const realRoot = await realpath(root);
  const lexical = path.resolve(realRoot, ...relative.split("/"));
  if (!isInside(realRoot, lexical)) throw new HttpError(400, `Invalid path: ${JSON.stringify(relative)}`, "Bad Request");
  let absolute: string;
  try {
    absolute = await realpath(lexical);
  } catch (e: unknown) {
    if (isMissing(e)) throw new HttpError(404, `No such file in the data root: ${relative}`, "Not Found");
    throw e;
  }
  if (!isInside(realRoot, absolute)) throw new HttpError(403, `${relative} leads outside the data root`, "Forbidden");
  return { relative, absolute };
}
