/**
 * Where cells may read and write data: everything under LIGHTBOOK_DATA_ROOT (the server sets it for
 * kernels and agents). User paths are relative to it; anything that could step outside it, by
 * `..`, an absolute path, percent-encoded characters, or a symlink pointing elsewhere, is refused
 * before a file is touched.
 */
import { existsSync, lstatSync, realpathSync } from "node:fs";
import path from "node:path";
import { DataRootError, NotFoundError, ParameterError } from "./errors.ts";

/**
 * The longest path accepted, in UTF-8 bytes, and the longest name in it (Linux's NAME_MAX): past
 * these the file system answers ENAMETOOLONG from calls that otherwise only say "missing", and the
 * server stores paths in an index whose keys are bounded (PostgreSQL's B-tree, about 2.7 kB).
 */
export const MAX_PATH_BYTES = 1024;
export const MAX_NAME_BYTES = 255;

/** Why `userPath` is too long to use, or undefined when it is not. */
export function pathTooLong(userPath: string): string | undefined {
  const bytes = Buffer.byteLength(userPath);
  if (bytes > MAX_PATH_BYTES) return `the path is ${bytes} bytes long; at most ${MAX_PATH_BYTES} are accepted`;
  const name = userPath.split(/[\\/]/).find((n) => Buffer.byteLength(n) > MAX_NAME_BYTES);
  if (name !== undefined) return `a name in the path is ${Buffer.byteLength(name)} bytes long; at most ${MAX_NAME_BYTES} are accepted`;
  return undefined;
}

/** The configured data root, resolved through symlinks. */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.LIGHTBOOK_DATA_ROOT;
  if (!root) throw new DataRootError("LIGHTBOOK_DATA_ROOT is not set; the server sets it for kernels, set it yourself elsewhere");
  if (!existsSync(root)) throw new DataRootError("the data root does not exist", { file: root });
  return realpathSync(root);
}

export interface ResolveOptions {
  /** Data root to resolve against; defaults to {@link dataRoot}(). */
  root?: string;
  /** Throw {@link NotFoundError} when the file does not exist (default true). */
  mustExist?: boolean;
  /**
   * Folders of the root ("/"-separated, "" for all of it) that the path must be in, both as given
   * and as the real path it leads to: a run's data (issue 13, item 5). A path outside them is
   * answered as a missing file, whether or not it exists, so that others' files cannot be probed.
   */
  folders?: readonly string[];
}

/** `relative` (a "/"-separated path under the root) is one of `folders` or inside one. */
export function inFolders(relative: string, folders: readonly string[]): boolean {
  return folders.some((f) => f === "" || relative === f || relative.startsWith(`${f}/`));
}

/**
 * The absolute path of `userPath`, a path relative to the data root, after checking that it stays
 * inside the root. Throws {@link DataRootError} naming the path otherwise.
 */
export function resolveDataPath(userPath: string, options: ResolveOptions = {}): string {
  if (typeof userPath !== "string" || userPath.trim() === "") throw new DataRootError("a data path must be a non-empty string", { file: String(userPath) });
  const tooLong = pathTooLong(userPath);
  if (tooLong) throw new ParameterError(tooLong, { file: `${userPath.slice(0, 64)}…` });
  if (userPath.includes("\0")) throw new DataRootError("a data path may not contain NUL characters", { file: userPath });
  if (/%[0-9a-f]{2}/i.test(userPath))
    throw new DataRootError("percent-encoded characters are not accepted in data paths; give the plain path", { file: userPath });
  if (path.isAbsolute(userPath)) throw new DataRootError("give a path relative to the data root, not an absolute path", { file: userPath });
  if (userPath.split(/[\\/]/).includes("..")) throw new DataRootError("'..' is not allowed in data paths", { file: userPath });
  const root = options.root === undefined ? dataRoot() : realpathSync(options.root);
  const folders = options.folders;
  if (folders && !inFolders(path.normalize(userPath).split(path.sep).join("/"), folders))
    throw new NotFoundError("no such file under the data root", { file: userPath });
  const real = containedPath(root, path.join(root, userPath), userPath, options.mustExist ?? true);
  if (folders && !inFolders(path.relative(root, real).split(path.sep).join("/"), folders))
    throw new NotFoundError("no such file under the data root", { file: userPath });
  return real;
}

/**
 * `absolute` after following symlinks, provided it stays inside `root` (which must already be a
 * real path). Used for user paths and for targets of HDF5 external links.
 */
export function containedPath(root: string, absolute: string, shownAs: string, mustExist: boolean): string {
  const real = realPathOfNearestExisting(absolute);
  const relative = path.relative(root, real);
  // path.relative, not startsWith: "/data-other" starts with "/data" but is a sibling.
  if (relative.startsWith("..") || path.isAbsolute(relative)) throw new DataRootError("the path leads outside the data root", { file: shownAs });
  if (mustExist && !existsSync(real)) throw new NotFoundError("no such file under the data root", { file: shownAs });
  return real;
}

/** realpath of the deepest existing ancestor, joined with the rest, so new files can be checked too. */
function realPathOfNearestExisting(absolute: string): string {
  let existing = absolute;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    // A dangling symlink could point anywhere, and writing through it would create the target.
    if (lstatSync(existing, { throwIfNoEntry: false })?.isSymbolicLink())
      throw new DataRootError("the path goes through a dangling symlink", { file: existing });
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(realpathSync(existing), ...rest);
}
