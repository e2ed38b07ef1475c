import { z } from "./zod.ts";

/** One entry of a data-root folder, as GET /api/lightbook/data/tree/<path> lists it. */
export const dataEntry = z.object({
  name: z.string(),
  /** Relative to the data root, "/"-separated. */
  path: z.string(),
  kind: z.enum(["directory", "file"]),
  /** Bytes; 0 for folders. */
  size: z.number().int().min(0),
  /** ISO 8601. */
  last_modified: z.string(),
});
export type DataEntry = z.infer<typeof dataEntry>;

export const dataListing = z.object({ path: z.string(), entries: z.array(dataEntry) });
export type DataListing = z.infer<typeof dataListing>;
