import { z } from "zod";

/**
 * nbformat v4 as its JSON schema defines it (https://github.com/jupyter/nbformat,
 * nbformat/v4/nbformat.v4.5.schema.json): what a notebook must look like to be saved, so that
 * every file Lightbook exports opens in any Jupyter tool.
 */
const multiline = z.union([z.string(), z.array(z.string())]);
const metadata = z.record(z.string(), z.unknown());
const cellId = z.string().regex(/^[a-zA-Z0-9-_]+$/, "cell id must match ^[a-zA-Z0-9-_]+$").min(1).max(64);
const mimeBundle = z.record(z.string(), z.union([multiline, z.record(z.string(), z.unknown()), z.array(z.unknown())]));
const executionCount = z.number().int().min(0).nullable();

const output = z.discriminatedUnion("output_type", [
  z.object({ output_type: z.literal("execute_result"), execution_count: executionCount, data: mimeBundle, metadata }).strict(),
  z.object({ output_type: z.literal("display_data"), data: mimeBundle, metadata }).strict(),
  z.object({ output_type: z.literal("stream"), name: z.enum(["stdout", "stderr"]), text: multiline }).strict(),
  z.object({ output_type: z.literal("error"), ename: z.string(), evalue: z.string(), traceback: z.array(z.string()) }).strict(),
]);

const attachments = z.record(z.string(), mimeBundle).optional();

const cell = z.discriminatedUnion("cell_type", [
  z.object({ id: cellId.optional(), cell_type: z.literal("code"), metadata, source: multiline, outputs: z.array(output), execution_count: executionCount }).strict(),
  z.object({ id: cellId.optional(), cell_type: z.literal("markdown"), metadata, source: multiline, attachments }).strict(),
  z.object({ id: cellId.optional(), cell_type: z.literal("raw"), metadata, source: multiline, attachments }).strict(),
]);

export const notebookSchema = z
  .object({
    nbformat: z.literal(4),
    nbformat_minor: z.number().int().min(0),
    metadata: z
      .object({
        kernelspec: z.object({ name: z.string(), display_name: z.string() }).passthrough().optional(),
        language_info: z.object({ name: z.string() }).passthrough().optional(),
      })
      .passthrough(),
    cells: z.array(cell),
  })
  .strict()
  .superRefine((nb, ctx) => {
    // Cell ids became required in nbformat 4.5.
    if (nb.nbformat_minor < 5) return;
    nb.cells.forEach((c, i) => {
      if (c.id === undefined) ctx.addIssue({ code: "custom", path: ["cells", i, "id"], message: "required since nbformat 4.5" });
    });
  });

export type Notebook = z.infer<typeof notebookSchema>;
export type Cell = Notebook["cells"][number];
export type Output = Extract<Cell, { cell_type: "code" }>["outputs"][number];

export class InvalidNotebookError extends Error {}

/** The notebook, or an error naming the first offending field, e.g. `cells[2].outputs[0].name`. */
export function parseNotebook(value: unknown): Notebook {
  const result = notebookSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
  throw new InvalidNotebookError(`invalid nbformat v4 notebook: ${where || "(top level)"}: ${issue.message}`);
}

export function emptyNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...kernel }, language_info: { name: kernel.language } },
    cells: [],
  };
}
