import type { Content } from "../db/generated/client.ts";
import { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/client.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";
import { InvalidNotebookError, emptyNotebook, parseNotebook, type Notebook } from "../../contracts/notebook.ts";
import { keepStoredOutputs } from "../notebooks/stored-notebook.ts";
import type { KernelIdentity } from "../../contracts/kernelspec.ts";
import type { ContentsModel, ContentType, SaveBody } from "../../contracts/contents.ts";

export type { KernelIdentity };
import { joinPath, nameOf, parentOf } from "./paths.ts";
import { announceRevision, HASH_ALGORITHM, lockRow, notebookHash, readHead, recordRevision, resolveSave } from "../notebooks/revisions.ts";

/** Who writes, and (a Lightbook page's If-Match) the revision its edits start from. */
export interface SaveOptions {
  author: string;
  base?: string | undefined;
  keepOutputs?: boolean;
}

const ROOT_TIME = new Date(0);

/**
 * The Jupyter contents tree, stored in Postgres: notebooks as nbformat v4 JSON, files as text
 * or bytes, directories as rows. Paths arrive already normalised (paths.ts).
 */
export class ContentsManager {
  constructor(
    private readonly db: Db,
    private readonly defaultKernel: KernelIdentity,
  ) {}

  async get(path: string, opts: { content: boolean; type?: ContentType; format?: string }): Promise<ContentsModel> {
    if (path === "") return this.directoryModel(rootRow(), opts.content);
    const row = await this.db.content.findUnique({ where: { path }, include: { revision: { select: { hash: true } } } });
    if (!row) throw new NotFoundDomainError(`No such file or directory: ${path}`);
    if (opts.type && opts.type !== row.type) throw new InvalidInputError(`${path} is a ${row.type}, not a ${opts.type}`);
    return row.type === "directory" ? this.directoryModel(row, opts.content) : toModel(row, opts.content, row.revision?.hash);
  }

  /**
   * PUT: creates or replaces; returns the model and whether it was created. A notebook save is a
   * new revision; with a `base` that is no longer the head it is merged with the head (the model
   * then carries the merged notebook) or refused with a SaveConflictError. Without a base the
   * last writer wins, as in Jupyter. With `keepOutputs` (a page's save, contracts/executions.ts
   * OUTPUTS_HEADER) a notebook keeps the stored outputs of every cell the store has, which the
   * runner writes, under the same row lock as its writes.
   */
  async save(path: string, body: SaveBody, opts: SaveOptions): Promise<{ model: ContentsModel; created: boolean }> {
    if (path === "") throw new InvalidInputError("Cannot save to the root directory");
    await this.requireDirectory(parentOf(path));
    const data = this.rowData(path, body);
    return this.db.$transaction(async (tx) => {
      // Locked first (when it exists): concurrent saves of one notebook take turns, each on the head the last one left.
      await lockRow(tx, path);
      const existing = await tx.content.findUnique({ where: { path }, select: { type: true, revisionId: true } });
      if (existing && (existing.type === "directory") !== (body.type === "directory")) {
        throw new InvalidInputError(`${path} is a ${existing.type}; cannot replace it with a ${body.type}`);
      }
      if (body.type !== "notebook") {
        const row = await tx.content.upsert({ where: { path }, create: data, update: { ...data, revision: { disconnect: true }, lastModified: new Date() } });
        return { model: toModel(row, false), created: !existing };
      }
      let notebook = parseNotebook(data.notebook);
      let merged = false;
      // The head is read only to merge with: a plain Jupyter save (no If-Match) replaces it.
      const head = opts.base === undefined && !opts.keepOutputs ? null : await readHead(tx, path);
      if (head && opts.keepOutputs) notebook = keepStoredOutputs(head.notebook, notebook);
      if (head && opts.base !== undefined) ({ notebook, merged } = await resolveSave(tx, path, head, opts.base, notebook));
      const revision = await recordRevision(tx, { path, notebook, author: opts.author, kind: "save", parentId: existing?.revisionId ?? null });
      const stored = {
        ...(merged || opts.keepOutputs ? this.rowData(path, { type: "notebook", content: notebook }) : data),
        revision: { connect: { id: revision.id } },
      };
      const row = await tx.content.upsert({ where: { path }, create: stored, update: { ...stored, lastModified: revision.created } });
      await announceRevision(tx, revision);
      // A merge stored more than was sent: the page gets it back to show.
      return { model: toModel(row, merged, revision.hash), created: !existing };
    });
  }

  /** POST: a new untitled notebook/file/directory in `dir`, or a copy of `copyFrom` there; a notebook starts with a first revision. */
  async create(dir: string, opts: { type?: ContentType; ext?: string; copyFrom?: string }, author: string): Promise<ContentsModel> {
    await this.requireDirectory(dir);
    if (opts.copyFrom !== undefined) return this.copy(opts.copyFrom, dir, author);
    const type = opts.type ?? (opts.ext === ".ipynb" ? "notebook" : "file");
    const [stem, ext, sep] =
      type === "directory" ? ["Untitled Folder", "", " "] : type === "notebook" ? ["Untitled", ".ipynb", ""] : ["untitled", opts.ext ?? ".txt", ""];
    const path = await this.uniquePath(dir, stem, ext, sep);
    const body: SaveBody =
      type === "notebook" ? { type, content: emptyNotebook(this.defaultKernel) } : type === "directory" ? { type } : { type, format: "text", content: "" };
    return this.createRow(this.rowData(path, body), author);
  }

  /** A new row; a notebook's with its first revision, in one transaction. */
  private createRow(data: Prisma.ContentCreateInput, author: string): Promise<ContentsModel> {
    return this.db.$transaction(async (tx) => {
      if (data.type !== "notebook") return toModel(await tx.content.create({ data }), false);
      const notebook = parseNotebook(data.notebook);
      const revision = await recordRevision(tx, { path: data.path, notebook, author, kind: "save", parentId: null });
      const row = await tx.content.create({ data: { ...data, revision: { connect: { id: revision.id } } } });
      await announceRevision(tx, revision);
      return toModel(row, false, revision.hash);
    });
  }

  async rename(from: string, to: string): Promise<ContentsModel> {
    if (from === "" || to === "") throw new InvalidInputError("Cannot rename the root directory");
    if (from === to) return this.get(from, { content: false });
    if (to.startsWith(`${from}/`)) throw new InvalidInputError(`Cannot move ${from} into itself`);
    await this.requireDirectory(parentOf(to));
    return this.db.$transaction(async (tx) => {
      const row = await tx.content.findUnique({ where: { path: from } });
      if (!row) throw new NotFoundDomainError(`No such file or directory: ${from}`);
      if (await tx.content.findUnique({ where: { path: to }, select: { path: true } })) {
        throw new DomainError("conflict", `File already exists: ${to}`);
      }
      const moved = await tx.content.update({
        where: { path: from },
        data: { path: to, parent: parentOf(to), name: nameOf(to), lastModified: new Date() },
      });
      // A notebook's history moves with it.
      await tx.notebookRevision.updateMany({ where: { path: from }, data: { path: to } });
      if (row.type === "directory") {
        // Children keep their place under the renamed directory: rewrite their path prefix.
        await tx.$executeRaw`UPDATE content SET path = ${to} || substr(path, ${from.length + 1}),
          parent = ${to} || substr(parent, ${from.length + 1})
          WHERE path LIKE ${likePrefix(from)}`;
        await tx.$executeRaw`UPDATE notebook_revision SET path = ${to} || substr(path, ${from.length + 1}) WHERE path LIKE ${likePrefix(from)}`;
      }
      return toModel(moved, false);
    });
  }

  async delete(path: string): Promise<void> {
    if (path === "") throw new InvalidInputError("Cannot delete the root directory");
    const row = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (!row) throw new NotFoundDomainError(`No such file or directory: ${path}`);
    if (row.type === "directory" && (await this.db.content.count({ where: { parent: path } })) > 0) {
      throw new InvalidInputError(`Directory ${path} is not empty`);
    }
    // A deleted notebook's history goes with it, so a new file of that name starts its own.
    await this.db.$transaction([this.db.content.delete({ where: { path } }), this.db.notebookRevision.deleteMany({ where: { path } })]);
  }

  async isEmpty(): Promise<boolean> {
    return (await this.db.content.count()) === 0;
  }

  private async copy(from: string, dir: string, author: string): Promise<ContentsModel> {
    const source = await this.db.content.findUnique({ where: { path: from } });
    if (!source) throw new NotFoundDomainError(`No such file: ${from}`);
    if (source.type === "directory") throw new InvalidInputError("Copying directories is not supported");
    const dot = source.name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [source.name.slice(0, dot), source.name.slice(dot)] : [source.name, ""];
    const path = await this.uniquePath(dir, `${stem}-Copy`, ext, "", 1);
    const { path: _p, parent: _d, name: _n, created: _c, lastModified: _m, revisionId: _r, notebook, ...rest } = source;
    return this.createRow({ ...rest, notebook: notebook ?? Prisma.DbNull, path, parent: dir, name: nameOf(path) }, author);
  }

  private async requireDirectory(path: string): Promise<void> {
    if (path === "") return;
    const row = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (!row || row.type !== "directory") throw new NotFoundDomainError(`No such directory: ${path}`);
  }

  /** `Untitled.ipynb`, `Untitled1.ipynb`, … as Jupyter names new entries. */
  private async uniquePath(dir: string, stem: string, ext: string, sep: string, first = 0): Promise<string> {
    const taken = new Set((await this.db.content.findMany({ where: { parent: dir, name: { startsWith: stem } }, select: { name: true } })).map((r) => r.name));
    for (let i = first; ; i++) {
      const name = `${stem}${i === 0 ? "" : `${sep}${i}`}${ext}`;
      if (!taken.has(name)) return joinPath(dir, name);
    }
  }

  private rowData(path: string, body: SaveBody): Prisma.ContentCreateInput {
    const base = { path, parent: parentOf(path), name: nameOf(path), type: body.type };
    switch (body.type) {
      case "directory":
        return { ...base, size: 0, notebook: Prisma.DbNull, text: null, bytes: null, mimetype: null };
      case "notebook":
        return notebookRow(path, readNotebookBody(body.content));
      case "file": {
        if (body.format === "text") {
          return { ...base, notebook: Prisma.DbNull, text: body.content, bytes: null, size: Buffer.byteLength(body.content), mimetype: "text/plain" };
        }
        const bytes = Buffer.from(body.content, "base64");
        return { ...base, notebook: Prisma.DbNull, text: null, bytes, size: bytes.length, mimetype: "application/octet-stream" };
      }
    }
  }

  private async directoryModel(row: Content, withContent: boolean): Promise<ContentsModel> {
    const model = toModel(row, false);
    if (!withContent) return model;
    const children = await this.db.content.findMany({
      where: { parent: row.path },
      orderBy: { name: "asc" },
      omit: { notebook: true, text: true, bytes: true },
    });
    return { ...model, format: "json", content: children.map((c) => toModel({ ...c, notebook: null, text: null, bytes: null }, false, null)) };
  }
}

/** A saved notebook, checked as nbformat v4 (a 400 naming the first wrong field). */
function readNotebookBody(content: unknown): Notebook {
  try {
    return parseNotebook(content);
  } catch (e: unknown) {
    if (e instanceof InvalidNotebookError) throw new InvalidInputError(e.message);
    throw e;
  }
}

function notebookRow(path: string, nb: Notebook): Prisma.ContentCreateInput {
  const json = JSON.stringify(nb);
  return {
    path,
    parent: parentOf(path),
    name: nameOf(path),
    type: "notebook",
    notebook: nb as Prisma.InputJsonValue,
    text: null,
    bytes: null,
    size: Buffer.byteLength(json),
    mimetype: null,
  };
}

function rootRow(): Content {
  return {
    path: "",
    parent: "",
    name: "",
    type: "directory",
    notebook: null,
    text: null,
    bytes: null,
    mimetype: null,
    size: 0,
    created: ROOT_TIME,
    lastModified: ROOT_TIME,
    revisionId: null,
  };
}

function likePrefix(dir: string): string {
  return `${dir.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
}

/** A row as Jupyter's model; a notebook's with the head revision's hash (computed for rows saved before revisions; null in listings). */
function toModel(row: Content, withContent: boolean, hash?: string | null): ContentsModel {
  const base = {
    name: row.name,
    path: row.path,
    type: row.type,
    writable: true,
    created: row.created.toISOString(),
    last_modified: row.lastModified.toISOString(),
    size: row.type === "directory" ? null : row.size,
  };
  if (row.type === "directory") return { ...base, mimetype: null, format: withContent ? "json" : null, content: withContent ? [] : null };
  if (row.type === "notebook") {
    const revision = { hash: hash === undefined ? notebookHash(row.notebook) : hash, hash_algorithm: HASH_ALGORITHM, revision_id: row.revisionId };
    return { ...base, ...revision, mimetype: null, format: withContent ? "json" : null, content: withContent ? row.notebook : null };
  }
  const isText = row.text !== null;
  return {
    ...base,
    mimetype: row.mimetype,
    format: withContent ? (isText ? "text" : "base64") : null,
    content: withContent ? (isText ? row.text : Buffer.from(row.bytes ?? []).toString("base64")) : null,
  };
}
