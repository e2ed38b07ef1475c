// Notebook paths (contents API, "/"-separated) ⇄ editor URLs (/notebooks/<encoded segments>).

export function notebookHref(path: string): string {
  return `/notebooks/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** The list page showing one folder of the contents root ("" is the root). */
export function folderHref(dir: string): string {
  return dir === "" ? "/" : `/?dir=${encodeURIComponent(dir)}`;
}

/** A percent-encoded segment decoded; one that does not decode is kept as it is. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a lone "%" that was already decoded
  }
}

/**
 * The page receives catch-all segments still percent-encoded (measured on Next 16.4: "a%20b.ipynb"
 * for /notebooks/a%20b.ipynb), and an encoded "/" stays inside one segment, so decode each one.
 */
export function notebookPathFromSegments(segments: string[]): string {
  return segments.map(decodeSegment).join("/");
}

export function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
