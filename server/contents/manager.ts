import type { Content } from "../db/generated/client.ts";
import { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/client.ts";
import { HttpError } from "../errors.ts";
import { InvalidNotebookError, emptyNotebook, parseNotebook } from "./nbformat.ts";
import type { ContentsModel, ContentType, SaveBody } from "./model.ts";
import { joinPath, nameOf, parentOf } from "./paths.ts";

export interface KernelIdentity {
  name: string;
  display_name: string;
  language: string;
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
    const row = await this.db.content.findUnique({ where: { path } });
    if (!row) throw new HttpError(404, `No such file or directory: ${path}`, "Not Found");
    if (opts.type && opts.type !== row.type) throw new HttpError(400, `${path} is a ${row.type}, not a ${opts.type}`, "Bad Request");
    return row.type === "directory" ? this.directoryModel(row, opts.content) : toModel(row, opts.content);
  }

  /** PUT: creates or replaces; returns the model and whether it was created. */
  async save(path: string, body: SaveBody): Promise<{ model: ContentsModel; created: boolean }> {
    if (path === "") throw new HttpError(400, "Cannot save to the root directory", "Bad Request");
    await this.requireDirectory(parentOf(path));
    const data = this.rowData(path, body);
    const existing = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (existing && (existing.type === "directory") !== (body.type === "directory")) {
      throw new HttpError(400, `${path} is a ${existing.type}; cannot replace it with a ${body.type}`, "Bad Request");
    }
    const row = await this.db.content.upsert({
      where: { path },
      create: data,
      update: { ...data, lastModified: new Date() },
    });
    return { model: toModel(row, false), created: !existing };
  }

  /** POST: a new untitled notebook/file/directory in `dir`, or a copy of `copyFrom` there. */
  async create(dir: string, opts: { type?: ContentType; ext?: string; copyFrom?: string }): Promise<ContentsModel> {
    await this.requireDirectory(dir);
    if (opts.copyFrom !== undefined) return this.copy(opts.copyFrom, dir);
    const type = opts.type ?? (opts.ext === ".ipynb" ? "notebook" : "file");
    const [stem, ext, sep] =
      type === "directory" ? ["Untitled Folder", "", " "] : type === "notebook" ? ["Untitled", ".ipynb", ""] : ["untitled", opts.ext ?? ".txt", ""];
    const path = await this.uniquePath(dir, stem, ext, sep);
    const body: SaveBody =
      type === "notebook"
        ? { type, content: emptyNotebook(this.defaultKernel) }
        : type === "directory"
          ? { type }
          : { type, format: "text", content: "" };
    const row = await this.db.content.create({ data: this.rowData(path, body) });
    return toModel(row, false);
  }

  async rename(from: string, to: string): Promise<ContentsModel> {
    if (from === "" || to === "") throw new HttpError(400, "Cannot rename the root directory", "Bad Request");
    if (from === to) return this.get(from, { content: false });
    if (to.startsWith(`${from}/`)) throw new HttpError(400, `Cannot move ${from} into itself`, "Bad Request");
    await this.requireDirectory(parentOf(to));
    return this.db.$transaction(async (tx) => {
      const row = await tx.content.findUnique({ where: { path: from } });
      if (!row) throw new HttpError(404, `No such file or directory: ${from}`, "Not Found");
      if (await tx.content.findUnique({ where: { path: to }, select: { path: true } })) {
        throw new HttpError(409, `File already exists: ${to}`, "Conflict");
      }
      const moved = await tx.content.update({
        where: { path: from },
        data: { path: to, parent: parentOf(to), name: nameOf(to), lastModified: new Date() },
      });
      if (row.type === "directory") {
        // Children keep their place under the renamed directory: rewrite their path prefix.
        await tx.$executeRaw`UPDATE content SET path = ${to} || substr(path, ${from.length + 1}),
          parent = ${to} || substr(parent, ${from.length + 1})
          WHERE path LIKE ${likePrefix(from)}`;
      }
      return toModel(moved, false);
    });
  }

  async delete(path: string): Promise<void> {
    if (path === "") throw new HttpError(400, "Cannot delete the root directory", "Bad Request");
    const row = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (!row) throw new HttpError(404, `No such file or directory: ${path}`, "Not Found");
    if (row.type === "directory" && (await this.db.content.count({ where: { parent: path } })) > 0) {
      throw new HttpError(400, `Directory ${path} is not empty`, "Bad Request");
    }
    await this.db.content.delete({ where: { path } });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.db.content.count()) === 0;
  }

  private async copy(from: string, dir: string): Promise<ContentsModel> {
    const source = await this.db.content.findUnique({ where: { path: from } });
    if (!source) throw new HttpError(404, `No such file: ${from}`, "Not Found");
    if (source.type === "directory") throw new HttpError(400, "Copying directories is not supported", "Bad Request");
    const dot = source.name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [source.name.slice(0, dot), source.name.slice(dot)] : [source.name, ""];
    const path = await this.uniquePath(dir, `${stem}-Copy`, ext, "", 1);
    const { path: _p, parent: _d, name: _n, created: _c, lastModified: _m, notebook, ...rest } = source;
    const row = await this.db.content.create({
      data: { ...rest, notebook: notebook ?? Prisma.DbNull, path, parent: dir, name: nameOf(path) },
    });
    return toModel(row, false);
  }

  private async requireDirectory(path: string): Promise<void> {
    if (path === "") return;
    const row = await this.db.content.findUnique({ where: { path }, select: { type: true } });
    if (!row || row.type !== "directory") throw new HttpError(404, `No such directory: ${path}`, "Not Found");
  }

  /** `Untitled.ipynb`, `Untitled1.ipynb`, … as Jupyter names new entries. */
  private async uniquePath(dir: string, stem: string, ext: string, sep: string, first = 0): Promise<string> {
    const taken = new Set(
      (await this.db.content.findMany({ where: { parent: dir, name: { startsWith: stem } }, select: { name: true } })).map((r) => r.name),
    );
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
      case "notebook": {
        let nb;
        try {
          nb = parseNotebook(body.content);
        } catch (e: unknown) {
          if (e instanceof InvalidNotebookError) throw new HttpError(400, e.message, "Bad Request");
          throw e;
        }
        const json = JSON.stringify(nb);
        return { ...base, notebook: nb as Prisma.InputJsonValue, text: null, bytes: null, size: Buffer.byteLength(json), mimetype: null };
      }
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
    return { ...model, format: "json", content: children.map((c) => toModel({ ...c, notebook: null, text: null, bytes: null }, false)) };
  }
}

function rootRow(): Content {
  return {
    path: "", parent: "", name: "", type: "directory", notebook: null, text: null, bytes: null,
    mimetype: null, size: 0, created: ROOT_TIME, lastModified: ROOT_TIME,
  };
}

function likePrefix(dir: string): string {
  return `${dir.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
}

function toModel(row: Content, withContent: boolean): ContentsModel {
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
  if (row.type === "notebook") return { ...base, mimetype: null, format: withContent ? "json" : null, content: withContent ? row.notebook : null };
  const isText = row.text !== null;
  return {
    ...base,
    mimetype: row.mimetype,
    format: withContent ? (isText ? "text" : "base64") : null,
    content: withContent ? (isText ? row.text : Buffer.from(row.bytes ?? []).toString("base64")) : null,
  };
}
