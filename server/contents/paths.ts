import { pathTooLong } from "../../analysis/data-root.ts";
import { InvalidInputError } from "../../runtime/errors.ts";

/**
 * A contents API path, as Jupyter defines it: relative to the contents root, `/`-separated,
 * no leading or trailing slash ("" is the root). Decoded once; anything that could name a
 * place outside the root (`..`, `.`, backslashes, NUL, encoded dots surviving a decode) is
 * refused rather than normalised, so no two spellings reach the same entry; so are paths too long
 * to store or to hand to the file system.
 */
export function normalizeContentsPath(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError(`Invalid path encoding: ${raw}`);
  }
  const trimmed = decoded.replace(/^\/+|\/+$/g, "");
  const tooLong = pathTooLong(trimmed);
  if (tooLong) throw new InvalidInputError(`Invalid path: ${tooLong}`);
  if (trimmed === "") return "";
  const segments = trimmed.split("/");
  for (const s of segments) {
    if (s === "" || s === "." || s === ".." || /[\\\0]/.test(s) || /%2e/i.test(s) || /%2f/i.test(s)) {
      throw new InvalidInputError(`Invalid path: ${JSON.stringify(decoded)}`);
    }
  }
  return segments.join("/");
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}
