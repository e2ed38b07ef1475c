import { z } from "zod";

/** The Jupyter Server contents model (https://jupyter-server.readthedocs.io/en/latest/developers/contents.html). */
export type ContentType = "notebook" | "file" | "directory";

export interface ContentsModel {
  name: string;
  path: string;
  type: ContentType;
  writable: boolean;
  created: string;
  last_modified: string;
  mimetype: string | null;
  format: "json" | "text" | "base64" | null;
  content: unknown;
  size: number | null;
}

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
    type: z.enum(["notebook", "file", "directory"]).optional(),
    ext: z.string().regex(/^\.[\w.-]*$/, "ext must look like .txt").optional(),
    copy_from: z.string().optional(),
  })
  .default({});

/** Body of PATCH /api/contents/{path}: rename. */
export const renameBody = z.object({ path: z.string().min(1) });
