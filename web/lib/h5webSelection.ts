// The message the H5Web page (web/h5web) posts to the data page that embeds it when the explorer's
// selection changes.

export interface H5WebSelection {
  type: "h5web-selection";
  /** The file, relative to the data root. */
  file: string;
  /** The selected entity's HDF5 path. */
  path: string;
  kind: "group" | "dataset";
}

export function isH5WebSelection(value: unknown): value is H5WebSelection {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === "h5web-selection" && typeof v.file === "string" && typeof v.path === "string" && (v.kind === "group" || v.kind === "dataset");
}
