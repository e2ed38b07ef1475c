/** One entry of a data-root folder, as GET /api/lightbook/data/tree/<path> lists it. */
export interface DataEntry {
  name: string;
  /** Relative to the data root, "/"-separated. */
  path: string;
  kind: "directory" | "file";
  /** Bytes; 0 for folders. */
  size: number;
  /** ISO 8601. */
  last_modified: string;
}

export interface DataListing {
  path: string;
  entries: DataEntry[];
}
