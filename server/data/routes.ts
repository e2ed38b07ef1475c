import { readdir, stat } from "node:fs/promises";
import { Router, type Request, type Response } from "express";
import { DomainError, HttpError } from "../../runtime/errors.ts";
import { resolveDataPath, type DataPath } from "./paths.ts";
import type { DataEntry, DataListing } from "../../contracts/data.ts";
import { accessOf, visible, type AccessResolver } from "../auth/authorizer.ts";
import { dataPathAuthorizer } from "./access.ts";

const PREFIX = "/api/lightbook/data";

/** The raw (still percent-encoded) path after `PREFIX/<what>`. */
function rawPath(req: Request, what: "tree" | "files"): string {
  return req.path.slice(`${PREFIX}/${what}`.length).replace(/^\//, "");
}

function encodePath(relative: string): string {
  return relative.split("/").map(encodeURIComponent).join("/");
}

/** A folder's entries, folders first; those that lead outside the root (symlinks) are left out. */
async function listEntries(root: string, dir: DataPath): Promise<DataEntry[]> {
  const names = await readdir(dir.absolute);
  const entries = await Promise.all(
    names.map(async (name): Promise<DataEntry | null> => {
      try {
        const { relative, absolute } = await resolveDataPath(root, encodePath(dir.relative === "" ? name : `${dir.relative}/${name}`));
        const s = await stat(absolute);
        const kind = s.isDirectory() ? "directory" : "file";
        return { name, path: relative, kind, size: kind === "file" ? s.size : 0, last_modified: s.mtime.toISOString() };
      } catch (e: unknown) {
        // A name that leads outside the root or vanished since readdir is left out of the listing.
        if (e instanceof DomainError) return null;
        throw e;
      }
    }),
  );
  const kept = entries.filter((e): e is DataEntry => e !== null);
  return kept.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "directory" ? -1 : 1));
}

/**
 * Read-only access to the data root: `tree/<path>` lists a folder, `files/<path>` serves a file's
 * bytes with HTTP Range support (for scripts and downloads; H5Web reads through /api/lightbook/h5grove).
 * Each user reaches their proposals' data folders only, and sees only the way to them.
 */
export function dataRoutes(root: string, access: AccessResolver): Router {
  const r = Router();
  const authorizeDataPath = dataPathAuthorizer(access, root);
  const readable = async (res: Response, raw: string): Promise<DataPath> => {
    const p = await resolveDataPath(root, raw);
    await authorizeDataPath(res, p, `No such file in the data root: ${p.relative}`);
    return p;
  };

  r.get(`${PREFIX}/tree{/*path}`, async (req, res) => {
    const dir = await readable(res, rawPath(req, "tree"));
    if (!(await stat(dir.absolute)).isDirectory()) throw new HttpError(400, `${dir.relative} is not a folder`, "Bad Request");
    const a = await accessOf(res, access);
    const entries = (await listEntries(root, dir)).filter((e) => visible(a, { kind: "data", path: e.path }));
    const body: DataListing = { path: dir.relative, entries };
    res.json(body);
  });

  r.get(`${PREFIX}/files{/*path}`, async (req, res, next) => {
    const file = await readable(res, rawPath(req, "files"));
    if (!(await stat(file.absolute)).isFile()) throw new HttpError(400, `${file.relative} is not a file`, "Bad Request");
    // sendFile answers Range requests with 206 and Content-Range, and sets Accept-Ranges.
    res.sendFile(
      file.absolute,
      { dotfiles: "allow", headers: { "Content-Type": "application/octet-stream", "Cache-Control": "no-cache" } },
      (err) => err && next(err),
    );
  });

  return r;
}
