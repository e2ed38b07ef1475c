import { z } from "./zod.ts";

/**
 * Notebook revisions (issue 11): every save of a notebook is an immutable revision, identified by
 * an id and by the sha256 of its canonical JSON. Served under /api/lightbook/notebooks/{path}/revisions.
 */

export const revisionKind = z.enum(["save", "outputs", "restore"]);
export type RevisionKind = z.infer<typeof revisionKind>;

/** A revision without its notebook, as listed. */
export const revisionSummary = z.object({
  id: z.uuid(),
  path: z.string(),
  /** sha256, hex, of the notebook's canonical JSON (keys sorted, no whitespace). */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  author: z.string(),
  created: z.string(),
  parent_id: z.uuid().nullable(),
  kind: revisionKind,
});
export type RevisionSummary = z.infer<typeof revisionSummary>;

/** GET …/revisions: newest first; `next_before` pages on (null on the last page). */
export const revisionList = z.object({
  revisions: z.array(revisionSummary),
  next_before: z.string().nullable(),
});
export type RevisionList = z.infer<typeof revisionList>;

export const revisionListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** A revision id: the page of revisions older than it. */
  before: z.uuid().optional(),
});

/** GET …/revisions/{id}: the revision with its notebook. */
export const revisionWithNotebook = revisionSummary.extend({ notebook: z.unknown() });
export type RevisionWithNotebook = z.infer<typeof revisionWithNotebook>;

/** One thing both sides of a save changed: a field group of one cell, or the notebook's order or metadata. */
export const mergeConflict = z.object({
  cell_id: z.string().nullable(),
  what: z.array(z.enum(["source", "outputs", "metadata", "deleted", "added", "order", "notebook"])),
});

/** The body of a 409 to a save whose base is not the head and whose changes collide with the head's. */
export const saveConflictBody = z.object({
  message: z.string(),
  reason: z.string().nullable(),
  conflicts: z.array(mergeConflict),
  /** The head the save collided with; its id is null for a notebook saved before revisions existed. */
  head: z.object({ id: z.uuid().nullable(), hash: z.string() }),
});
export type SaveConflictBody = z.infer<typeof saveConflictBody>;
