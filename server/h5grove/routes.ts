/**
 * An h5grove-compatible API (the subset @h5web/app's H5GroveProvider uses: `/meta/`, `/attr/`,
 * `/data/`, `/paths/`; https://silx-kit.github.io/h5grove/) over files in the data root, read with
 * the analysis library: H5Web fetches the slices it shows, never the whole file (issue 6). Reads run
 * in worker threads (read-pool.ts), each bounded by LIGHTBOOK_MAX_READ_BYTES (issue 12).
 */
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { HttpError, NotFoundDomainError } from "../../runtime/errors.ts";
import { parseQuery } from "../http/validate.ts";
import type { H5ReadPool } from "./read-pool.ts";
import type { GroveReply, GroveTask } from "./tasks.ts";
import type { AccessResolver } from "../auth/authorizer.ts";
import { dataPathAuthorizer } from "../data/access.ts";
import { resolveDataPath, type DataPath } from "../data/paths.ts";

export const H5GROVE_PREFIX = "/api/lightbook/h5grove";

const entityQuery = z.object({
  /** Relative to the data root. */
  file: z.string().min(1),
  path: z.string().startsWith("/").default("/"),
});
const attrQuery = entityQuery.extend({ attr_keys: z.union([z.string(), z.array(z.string())]).optional() });
const dataQuery = entityQuery.extend({
  selection: z.string().min(1).optional(),
  /** `npy`: what H5Web's "Export to npy" asks for. */
  format: z.enum(["json", "bin", "npy"]).default("json"),
  /** `safe`: types a browser has typed arrays for, little-endian (h5grove's `convert`). */
  dtype: z.enum(["origin", "safe"]).default("origin"),
  flatten: z.enum(["true", "false"]).default("false"),
});

/** The reply's value, or the HttpError the worker answered with. */
async function read(pool: H5ReadPool, task: GroveTask): Promise<Exclude<GroveReply, { ok: false }>> {
  const reply = await pool.run(task);
  if (!reply.ok) throw new HttpError(reply.status, reply.message, reply.reason);
  return reply;
}

function send(res: Response, reply: Exclude<GroveReply, { ok: false }>): void {
  if ("json" in reply) res.json(reply.json);
  else if ("text" in reply) res.type("application/json").send(reply.text);
  else {
    if (reply.attachment) res.attachment(reply.attachment);
    // Structured clone delivers a Uint8Array; Express sends Buffers as they are.
    res.type("application/octet-stream").send(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength));
  }
}

/** Each route reads a file the principal may read (their proposals' data: server/data/access.ts). */
export function h5groveRoutes(pool: H5ReadPool, root: string, access: AccessResolver): Router {
  const r = Router();
  const authorizeDataPath = dataPathAuthorizer(access, root);
  const parse = async <S extends z.ZodType<{ file: string }>>(schema: S, req: Request, res: Response): Promise<z.infer<S>> => {
    const q = parseQuery(schema, req.query);
    let p: DataPath;
    try {
      // As the data API reads paths: `..`, absolute and encoded-dot paths are 400 before any file is looked at.
      p = await resolveDataPath(root, q.file);
    } catch (e: unknown) {
      throw e instanceof NotFoundDomainError ? new NotFoundDomainError(`File not found: ${q.file}`) : e;
    }
    await authorizeDataPath(res, p, `File not found: ${q.file}`);
    return q;
  };

  r.get(`${H5GROVE_PREFIX}/meta/`, async (req, res) => {
    const q = await parse(entityQuery, req, res);
    send(res, await read(pool, { op: "meta", file: q.file, path: q.path }));
  });

  r.get(`${H5GROVE_PREFIX}/attr/`, async (req, res) => {
    const q = await parse(attrQuery, req, res);
    send(res, await read(pool, { op: "attr", file: q.file, path: q.path, keys: q.attr_keys === undefined ? undefined : [q.attr_keys].flat() }));
  });

  r.get(`${H5GROVE_PREFIX}/paths/`, async (req, res) => {
    const q = await parse(entityQuery, req, res);
    send(res, await read(pool, { op: "paths", file: q.file, path: q.path }));
  });

  r.get(`${H5GROVE_PREFIX}/data/`, async (req, res) => {
    const q = await parse(dataQuery, req, res);
    send(
      res,
      await read(pool, { op: "data", file: q.file, path: q.path, selection: q.selection, format: q.format, dtype: q.dtype, flatten: q.flatten === "true" }),
    );
  });

  return r;
}
