import { realpath } from "node:fs/promises";
import { resolveDataPath as resolveUnderRoot } from "../../analysis/data-root.ts";
import { DataRootError, NotFoundError } from "../../analysis/errors.ts";
import { normalizeContentsPath } from "../contents/paths.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";

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
  if (raw.startsWith("/") || /^%2f/i.test(raw)) throw new InvalidInputError("Data paths are relative to the data root");
  const relative = normalizeContentsPath(raw);
  if (relative === "") return { relative, absolute: await realpath(root) };
  try {
    return { relative, absolute: resolveUnderRoot(relative, { root }) };
  } catch (e: unknown) {
    if (e instanceof NotFoundError) throw new NotFoundDomainError(`No such file in the data root: ${relative}`);
    if (e instanceof DataRootError) throw new DomainError("forbidden", `${relative} leads outside the data root`);
    throw e;
  }
}
