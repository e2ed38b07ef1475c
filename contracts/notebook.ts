import { z } from "./zod.ts";
import type { KernelIdentity } from "./kernelspec.ts";
import { isJsonObject } from "./json.ts";
import { issuePath } from "./parse.ts";

/**
 * nbformat v4 as its JSON schema defines it (https://github.com/jupyter/nbformat,
 * nbformat/v4/nbformat.v4.5.schema.json): what a notebook must look like to be saved, so that
 * every file Lightbook exports opens in any Jupyter tool.
 */
const multiline = z.union([z.string(), z.array(z.string())], { error: "must be a string or a list of strings" });
const metadata = z.record(z.string(), z.unknown());
const cellId = z
  .string()
  .regex(/^[a-zA-Z0-9-_]+$/, "cell id must match ^[a-zA-Z0-9-_]+$")
  .min(1)
  .max(64);
/** JSON MIME types (`application/json`, `…+json`) hold any JSON value; every other type is text. */
function isJsonMimeType(mimeType: string): boolean {
  return mimeType === "application/json" || mimeType.endsWith("+json");
}
function isMultiline(value: unknown): value is string | string[] {
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}
const mimeBundle = z.record(z.string(), z.unknown()).superRefine((bundle, ctx) => {
  for (const [mimeType, value] of Object.entries(bundle)) {
    if (!isJsonMimeType(mimeType) && !isMultiline(value))
      ctx.addIssue({ code: "custom", path: [mimeType], message: "must be text (a string or a list of strings)" });
  }
});
const executionCount = z.number().int().min(0).nullable();

const executeResult = z.strictObject({ output_type: z.literal("execute_result"), execution_count: executionCount, data: mimeBundle, metadata });
const displayData = z.strictObject({ output_type: z.literal("display_data"), data: mimeBundle, metadata });
const stream = z.strictObject({ output_type: z.literal("stream"), name: z.enum(["stdout", "stderr"]), text: multiline });
const error = z.strictObject({ output_type: z.literal("error"), ename: z.string(), evalue: z.string(), traceback: z.array(z.string()) });

const output = z.discriminatedUnion("output_type", [executeResult, displayData, stream, error]);
/** An output as an iopub message carries it: the same fields, next to others (transient) that are not saved. */
const messageOutput = z.discriminatedUnion("output_type", [executeResult.strip(), displayData.strip(), stream.strip(), error.strip()]);

const attachments = z.record(z.string(), mimeBundle).optional();

const cell = z.discriminatedUnion("cell_type", [
  z.strictObject({
    id: cellId.optional(),
    cell_type: z.literal("code"),
    metadata,
    source: multiline,
    outputs: z.array(output),
    execution_count: executionCount,
  }),
  z.strictObject({ id: cellId.optional(), cell_type: z.literal("markdown"), metadata, source: multiline, attachments }),
  z.strictObject({ id: cellId.optional(), cell_type: z.literal("raw"), metadata, source: multiline, attachments }),
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

/** The first issue, worded for people: `cells[2].outputs[0].name: …`, an unknown `output_type` by its value. */
function describeIssue(error: z.ZodError, value: unknown): string {
  const issue = error.issues[0]!;
  const where = issuePath(issue.path) || "(top level)";
  if (issue.code === "invalid_union" && "discriminator" in issue && typeof issue.discriminator === "string") {
    // The issue's path ends at the discriminator: its value is what was sent.
    const got = issue.path.reduce<unknown>((v, p) => (isJsonObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[p] : undefined), value);
    return `${where}: unknown ${issue.discriminator} ${JSON.stringify(got) ?? "(missing)"}`;
  }
  return `${where}: ${issue.message}`;
}

/** The notebook, or an error naming the first offending field, e.g. `cells[2].outputs[0].name`. */
export function parseNotebook(value: unknown): Notebook {
  const result = notebookSchema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidNotebookError(`invalid nbformat v4 notebook: ${describeIssue(result.error, value)}`);
}

/** Any JSON object: metadata, MIME bundles, message contents. */
export type JsonObject = Record<string, unknown>;
/** MIME type → data: text types as one string, `+json` types as JSON values. */
export type MimeBundle = Record<string, unknown>;

/**
 * Notebooks as an editor holds them: multiline text joined into one string, every cell with an
 * id. Still valid nbformat v4.5 (`toNotebook` of the web app saves them as they are).
 */
type Joined<O> = O extends { text: unknown } ? Omit<O, "text"> & { text: string } : O extends { data: unknown } ? Omit<O, "data"> & { data: MimeBundle } : O;
export type NbOutput = Joined<Output>;
type CodeCell = Extract<Cell, { cell_type: "code" }>;
type TextCell = Exclude<Cell, CodeCell>;
/** A markdown or raw cell's attached images: name → MIME bundle. */
export type Attachments = NonNullable<TextCell["attachments"]>;
export type NbCell =
  | (Omit<CodeCell, "id" | "source" | "outputs"> & { id: string; source: string; outputs: NbOutput[] })
  | (Omit<TextCell, "id" | "source" | "cell_type"> & { id: string; source: string; cell_type: TextCell["cell_type"] });
export type NbNotebook = Omit<Notebook, "metadata" | "cells"> & { metadata: JsonObject; cells: NbCell[] };

function joinMultiline(value: string | string[]): string {
  return typeof value === "string" ? value : value.join("");
}

/** JSON MIME types keep their structure; text is joined (the schema made sure it is text). */
function joinBundle(data: Record<string, unknown>): MimeBundle {
  const bundle: MimeBundle = {};
  for (const [mimeType, v] of Object.entries(data)) bundle[mimeType] = !isJsonMimeType(mimeType) && isMultiline(v) ? joinMultiline(v) : v;
  return bundle;
}

function joinOutput(o: Output): NbOutput {
  switch (o.output_type) {
    case "stream":
      return { ...o, text: joinMultiline(o.text) };
    case "display_data":
    case "execute_result":
      return { ...o, data: joinBundle(o.data) };
    case "error":
      return o;
  }
}

/** A MIME bundle from a message (update_display_data), checked and joined; or an InvalidNotebookError naming the MIME type. */
export function readMimeBundle(value: unknown, where: string): MimeBundle {
  const result = mimeBundle.safeParse(value);
  if (!result.success) throw new InvalidNotebookError(`${where}: ${describeIssue(result.error, value)}`);
  return joinBundle(result.data);
}

/** An output from an iopub message's content (message type as `output_type`), joined; or an InvalidNotebookError naming the field. */
export function readOutput(value: unknown, where: string): NbOutput {
  // Kernels may leave out empty metadata; nbformat requires it (fields an output type lacks are stripped).
  const filled = isJsonObject(value) ? { metadata: {}, execution_count: null, ...value } : value;
  const result = messageOutput.safeParse(filled);
  if (!result.success) throw new InvalidNotebookError(`${where}: ${describeIssue(result.error, filled)}`);
  return joinOutput(result.data);
}

/** What older writers leave out that nbformat 4.5 requires: filled in before the file is checked. */
function withDefaults(value: JsonObject, newId: () => string): JsonObject {
  const cells = value.cells;
  return {
    ...value,
    nbformat_minor: Math.max(typeof value.nbformat_minor === "number" ? value.nbformat_minor : 0, 5),
    metadata: value.metadata ?? {},
    cells: Array.isArray(cells)
      ? cells.map((c: unknown) => {
          if (!isJsonObject(c)) return c;
          const filled: JsonObject = { ...c, id: typeof c.id === "string" && c.id !== "" ? c.id : newId(), metadata: c.metadata ?? {} };
          if (c.cell_type === "code") Object.assign(filled, { outputs: c.outputs ?? [], execution_count: c.execution_count ?? null });
          return filled;
        })
      : cells,
  };
}

/**
 * A notebook file opened by a person: fields older writers leave out are filled in (cell ids,
 * empty metadata), it is checked against the nbformat 4.5 schema (an InvalidNotebookError names
 * the first wrong field) and its text joined. The editor saves it back as nbformat 4.5.
 */
export function readNotebook(value: unknown, newId: () => string): NbNotebook {
  if (!isJsonObject(value)) throw new InvalidNotebookError("The notebook is not a JSON object");
  if (value.nbformat !== 4) throw new InvalidNotebookError(`Only nbformat 4 notebooks can be opened (this one is ${String(value.nbformat)})`);
  const nb = parseNotebook(withDefaults(value, newId));
  return {
    ...nb,
    cells: nb.cells.map((c): NbCell => {
      const id = c.id!; // withDefaults gave every cell one
      return c.cell_type === "code"
        ? { ...c, id, source: joinMultiline(c.source), outputs: c.outputs.map(joinOutput) }
        : { ...c, id, source: joinMultiline(c.source) };
    }),
  };
}

export function emptyNotebook(kernel: KernelIdentity): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { ...kernel }, language_info: { name: kernel.language } },
    cells: [],
  };
}
