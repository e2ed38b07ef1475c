import { realpath } from "node:fs/promises";
import { resolveDataPath as resolveUnderRoot } from "../../kernel/analysis/data-root.ts";
import { DataRootError, NotFoundError } from "../../kernel/analysis/errors.ts";
import { normalizeContentsPath } from "../contents/paths.ts";
import { HttpError } from "../errors.ts";

export interface DataPath {
  /** Relative to the data root, "/"-separated ("" is the root). */
  relative: string;
  /** The real absolute path on disk, symlinks resolved. */
  absolute: string;
}

/**
 * Resolves a request path (still percent-encoded, relative to the data root) to a file on disk.
 * Refused: absolute paths, `..`/`.` and encoded dots or slashes (by normalizeContentsPath), and,
 * through the analysis library's resolver that kernels use too, anything whose real path (after
 * symlinks) is not inside the real data root.
 */
export async function resolveDataPath(root: string, raw: string): Promise<DataPath> {
  if (raw.startsWith("/") || /^%2f/i.test(raw)) throw new HttpError(400, "Data paths are relative to the data root", "Bad Request");
  const relative = normalizeContentsPath(raw);
  if (relative === "") return { relative, absolute: await realpath(root) };
  try {
    return { relative, absolute: resolveUnderRoot(relative, { root }) };
  } catch (e: unknown) {
    if (e instanceof NotFoundError) throw new HttpError(404, `No such file in the data root: ${relative}`, "Not Found");
    if (e instanceof DataRootError) throw new HttpError(403, `${relative} leads outside the data root`, "Forbidden");
    throw e;
  }
}
