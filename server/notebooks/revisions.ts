import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { Db } from "../db/client.ts";
import type { NotebookRevision, Prisma } from "../db/generated/client.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";
import { parseNotebook, type Notebook, type Output } from "../../contracts/notebook.ts";
import { mergeNotebooks, type MergeConflict } from "../../contracts/notebook-merge.ts";
import type { RevisionKind, RevisionList, RevisionSummary, RevisionWithNotebook, SaveConflictBody } from "../../contracts/revisions.ts";
import { recordEvent } from "../../queue/sql/events.ts";

/** Who wrote outputs that the server's runner produced. */
export const RUNNER = "runner";
export const HASH_ALGORITHM = "sha256";

type Tx = Prisma.TransactionClient;

/** sha256 (hex) of the notebook's canonical JSON: keys sorted, no whitespace, so a JSONB round trip keeps it. */
export function notebookHash(notebook: unknown): string {
  return createHash(HASH_ALGORITHM)
    .update(stringify(notebook) ?? "null")
    .digest("hex");
}

/** A save refused because both sides changed the same thing; its response says what (saveConflictBody). */
export class SaveConflictError extends DomainError {
  constructor(path: string, conflicts: MergeConflict[], head: SaveConflictBody["head"]) {
    super("conflict", `${path} was changed since your revision, in the same places: ${conflicts.map(describeConflict).join("; ")}`, {
      details: { conflicts, head },
    });
  }
}

function describeConflict(c: MergeConflict): string {
  return `${c.cell_id === null ? "the notebook" : `cell ${c.cell_id}`} (${c.what.join(", ")})`;
}

/** The notebook a content row holds as its head, with that revision's id (null for rows saved before revisions existed). */
export interface Head {
  id: string | null;
  hash: string;
  notebook: Notebook;
}

/** Locks the contents row of `path` (if any) until the transaction ends, so heads move one at a time. */
export async function lockRow(tx: Tx, path: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM content WHERE path = ${path} FOR UPDATE`;
}

/** The locked head of a notebook, or null when `path` is not a notebook. */
export async function lockedHead(tx: Tx, path: string): Promise<Head | null> {
  await lockRow(tx, path);
  return readHead(tx, path);
}

/** The head of a notebook whose row the transaction has locked; null when `path` is not a notebook. */
export async function readHead(tx: Tx, path: string): Promise<Head | null> {
  const row = await tx.content.findUnique({ where: { path }, select: { type: true, notebook: true, revision: { select: { id: true, hash: true } } } });
  if (!row || row.type !== "notebook") return null;
  const notebook = parseNotebook(row.notebook);
  return { id: row.revision?.id ?? null, hash: row.revision?.hash ?? notebookHash(notebook), notebook };
}

/** What a client's If-Match names: a revision id or a hash, quoted as an entity tag or not. */
export function parseIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const token = header
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");
  if (!/^[0-9a-f-]{36}$|^[0-9a-f]{64}$/i.test(token))
    throw new InvalidInputError(`If-Match must name a revision id or a sha256 hash, not ${JSON.stringify(header)}`);
  return token.toLowerCase();
}

/**
 * What a save based on `base` stores over `head`: `ours` itself when the base is the head, else
 * the 3-way merge of base, ours and head, or a SaveConflictError when both changed one field.
 */
export async function resolveSave(tx: Tx, path: string, head: Head, base: string, ours: Notebook): Promise<{ notebook: Notebook; merged: boolean }> {
  if (base === head.id || base === head.hash) return { notebook: ours, merged: false };
  const baseRow = await tx.notebookRevision.findFirst({
    where: { path, OR: [{ hash: base }, ...(base.length === 36 ? [{ id: base }] : [])] },
    orderBy: { seq: "desc" },
    select: { notebook: true },
  });
  if (!baseRow) throw new InvalidInputError(`If-Match names no revision of ${path}: ${base}`);
  const { merged, conflicts } = mergeNotebooks(parseNotebook(baseRow.notebook), ours, head.notebook);
  if (conflicts.length > 0) {
    throw new SaveConflictError(path, conflicts, { id: head.id, hash: head.hash });
  }
  return { notebook: parseNotebook(merged), merged: true };
}

/** Writes a revision of `path` (the contents row is the caller's, in the same transaction). */
export function recordRevision(
  tx: Tx,
  r: { path: string; notebook: Notebook; author: string; kind: RevisionKind; parentId: string | null },
): Promise<NotebookRevision> {
  return tx.notebookRevision.create({
    data: { path: r.path, hash: notebookHash(r.notebook), author: r.author, kind: r.kind, parentId: r.parentId, notebook: r.notebook as Prisma.InputJsonValue },
  });
}

/** The revision's event on the stream: last in its transaction, after every row lock it takes (queue/sql/events.ts). */
export async function announceRevision(tx: Tx, r: NotebookRevision): Promise<void> {
  await recordEvent(tx, { kind: "notebook.revision", path: r.path, revision_id: r.id, author: r.author, revision_kind: r.kind });
}

/** The head moves to `revision`: the row holds its notebook. */
async function moveHead(tx: Tx, path: string, revision: NotebookRevision, notebook: Notebook): Promise<void> {
  await tx.content.update({
    where: { path },
    data: {
      notebook: notebook as Prisma.InputJsonValue,
      revisionId: revision.id,
      size: Buffer.byteLength(JSON.stringify(notebook)),
      lastModified: revision.created,
    },
  });
}

function summary(r: Omit<NotebookRevision, "notebook">): RevisionSummary {
  return { id: r.id, path: r.path, hash: r.hash, author: r.author, created: r.created.toISOString(), parent_id: r.parentId, kind: r.kind };
}

export type OutputsCommit = { kind: "committed"; revision: RevisionSummary } | { kind: "no-notebook" } | { kind: "no-cell" };

/** Listing, opening and restoring revisions, and the runner's output writes. Paths arrive normalised (contents/paths.ts). */
export class NotebookRevisions {
  constructor(private readonly db: Db) {}

  /**
   * Replaces one cell's outputs and execution count in the head, found by cell id, as an
   * 'outputs' revision. The row lock orders it with saves; it never conflicts: a page's save
   * based on the revision before it merges (the page's sources, the runner's outputs).
   */
  commitOutputs(path: string, cellId: string, result: { outputs: Output[]; execution_count: number | null }, author: string = RUNNER): Promise<OutputsCommit> {
    return this.commitCellOutputs(path, [{ cellId, outputs: result.outputs, executionCount: result.execution_count }], author);
  }

  /** Several cells' outputs in one revision: what ended while the runner's previous write was in flight (cell-outputs.ts). */
  commitCellOutputs(
    path: string,
    written: readonly { cellId: string; outputs: Output[]; executionCount: number | null }[],
    author: string = RUNNER,
  ): Promise<OutputsCommit> {
    const byId = new Map(written.map((c) => [c.cellId, c]));
    return this.db.$transaction(async (tx) => {
      const head = await lockedHead(tx, path);
      if (!head) return { kind: "no-notebook" };
      let changed = false;
      const cells = head.notebook.cells.map((cell) => {
        const w = cell.cell_type === "code" && cell.id !== undefined ? byId.get(cell.id) : undefined;
        if (!w || cell.cell_type !== "code") return cell;
        changed = true;
        return { ...cell, outputs: w.outputs, execution_count: w.executionCount };
      });
      if (!changed) return { kind: "no-cell" };
      const notebook = parseNotebook({ ...head.notebook, cells });
      const revision = await recordRevision(tx, { path, notebook, author, kind: "outputs", parentId: head.id });
      await moveHead(tx, path, revision, notebook);
      await announceRevision(tx, revision);
      return { kind: "committed", revision: summary(revision) };
    });
  }

  async list(path: string, page: { limit: number; before?: string | undefined }): Promise<RevisionList> {
    await this.requireNotebook(path);
    const rows = await this.db.notebookRevision.findMany({
      where: { path },
      orderBy: { seq: "desc" },
      take: page.limit + 1,
      ...(page.before === undefined ? {} : { cursor: { id: await this.requireRevision(path, page.before).then((r) => r.id) }, skip: 1 }),
      omit: { notebook: true },
    });
    const more = rows.length > page.limit;
    const shown = rows.slice(0, page.limit);
    return { revisions: shown.map(summary), next_before: more ? shown[shown.length - 1]!.id : null };
  }

  async get(path: string, id: string): Promise<RevisionWithNotebook> {
    await this.requireNotebook(path);
    const r = await this.requireRevision(path, id);
    return { ...summary(r), notebook: parseNotebook(r.notebook) };
  }

  /** A new 'restore' revision holding revision `id`'s notebook, whose parent is the head it replaces. */
  restore(path: string, id: string, author: string): Promise<RevisionSummary> {
    return this.db.$transaction(async (tx) => {
      const head = await lockedHead(tx, path);
      if (!head) throw new NotFoundDomainError(`No such notebook: ${path}`);
      const old = await tx.notebookRevision.findFirst({ where: { id, path } });
      if (!old) throw new NotFoundDomainError(`No revision ${id} of ${path}`);
      const notebook = parseNotebook(old.notebook);
      const revision = await recordRevision(tx, { path, notebook, author, kind: "restore", parentId: head.id });
      await moveHead(tx, path, revision, notebook);
      await announceRevision(tx, revision);
      return summary(revision);
    });
  }

  private async requireNotebook(path: string): Promise<void> {
    const row = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (!row || row.type !== "notebook") throw new NotFoundDomainError(`No such notebook: ${path}`);
  }

  private async requireRevision(path: string, id: string): Promise<NotebookRevision> {
    const r = await this.db.notebookRevision.findFirst({ where: { id, path } });
    if (!r) throw new NotFoundDomainError(`No revision ${id} of ${path}`);
    return r;
  }
}
