import { z } from "./zod.ts";

export const contentType = z.enum(["notebook", "file", "directory"]);
export type ContentType = z.infer<typeof contentType>;

/** The Jupyter Server contents model (https://jupyter-server.readthedocs.io/en/latest/developers/contents.html). */
export const contentsModel = z.object({
  name: z.string(),
  path: z.string(),
  type: contentType,
  writable: z.boolean(),
  created: z.string(),
  last_modified: z.string(),
  mimetype: z.string().nullable(),
  format: z.enum(["json", "text", "base64"]).nullable(),
  /** A notebook, a file's text or base64, a directory's listing (models without content); null without content. */
  content: z.unknown(),
  size: z.number().int().nullable(),
  /** Jupyter Server 2.11+'s fields: for notebooks, the sha256 of the head revision (contracts/revisions.ts). */
  hash: z.string().nullable().optional(),
  hash_algorithm: z.string().nullable().optional(),
  /** Lightbook's: the head revision's id, what a page sends back in If-Match. */
  revision_id: z.string().nullable().optional(),
});
export type ContentsModel = z.infer<typeof contentsModel>;

/** Body of PUT /api/contents/{path}: save or create. */
export const saveBody = z.discriminatedUnion("type", [
  z.object({ type: z.literal("notebook"), format: z.literal("json").optional(), content: z.unknown() }),
  z.object({ type: z.literal("file"), format: z.enum(["text", "base64"]), content: z.string() }),
  z.object({ type: z.literal("directory") }),
]);
export type SaveBody = z.infer<typeof saveBody>;

/** Body of POST /api/contents/{dir}: a new untitled entry, or a copy. */
export const createBody = z
  .object({
    type: contentType.optional(),
    ext: z
      .string()
      .regex(/^\.[\w.-]*$/, "ext must look like .txt")
      .optional(),
    copy_from: z.string().optional(),
  })
  .default({});

/** Body of PATCH /api/contents/{path}: rename. */
export const renameBody = z.object({ path: z.string().min(1) });
