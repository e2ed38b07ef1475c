/**
 * An h5grove-compatible API (the subset @h5web/app's H5GroveProvider uses: `/meta/`, `/attr/`,
 * `/data/`, `/paths/`; https://silx-kit.github.io/h5grove/) over files in the data root, read with
 * the analysis library: H5Web fetches the slices it shows, never the whole file (issue 6).
 */
import { realpathSync } from "node:fs";
import { Router } from "express";
import { z } from "zod";
import { DataRootError, Hdf5Error, MissingFilterError, NotFoundError, ParameterError } from "../../kernel/analysis/errors.ts";
import { isNumeric } from "../../kernel/analysis/hdf5/dtype.ts";
import { H5File, openH5 } from "../../kernel/analysis/hdf5/file.ts";
import type { NumericArray } from "../../kernel/analysis/hdf5/types.ts";
import { HttpError } from "../errors.ts";
import { parseQuery } from "../http/validate.ts";
import { entityMeta } from "./entities.ts";
import { parseSelection, resolveSelection, SelectionError } from "./selection.ts";
import { H5T } from "./types.ts";
import { readEnumSelection, readSelection, toBytes, toJson, toNpy } from "./values.ts";

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

/** Library errors as the statuses h5grove and the data API answer with. */
function toHttpError(e: unknown, file: string, objectPath?: string): unknown {
  if (e instanceof HttpError) return e;
  if (e instanceof NotFoundError) {
    return new HttpError(404, objectPath === undefined ? `File not found: ${file}` : `${objectPath} is not a valid path in ${file}: ${e.message}`, "Not Found");
  }
  if (e instanceof DataRootError) return new HttpError(403, `${file} leads outside the data root: ${e.message}`, "Forbidden");
  if (e instanceof SelectionError) return new HttpError(400, `Invalid selection: ${e.message}`, "Bad Request");
  if (e instanceof ParameterError) return new HttpError(400, e.message, "Bad Request");
  if (e instanceof MissingFilterError || e instanceof Hdf5Error) return new HttpError(422, e.message, "Unprocessable Entity");
  return e;
}

export function h5groveRoutes(dataRoot: string): Router {
  const r = Router();
  const root = realpathSync(dataRoot);

  /** Runs `read` on the open file (and the files its links lead to), closing them after. */
  async function withFile<T>(file: string, objectPath: string, read: (h5: H5File) => T | Promise<T>): Promise<T> {
    let h5: H5File;
    try {
      h5 = await openH5(file, { root });
    } catch (e: unknown) {
      throw toHttpError(e, file);
    }
    try {
      return await read(h5);
    } catch (e: unknown) {
      throw toHttpError(e, file, objectPath);
    } finally {
      h5.close();
    }
  }

  r.get(`${H5GROVE_PREFIX}/meta/`, async (req, res) => {
    const q = parseQuery(entityQuery, req.query);
    res.json(await withFile(q.file, q.path, (h5) => entityMeta(h5, q.path)));
  });

  r.get(`${H5GROVE_PREFIX}/attr/`, async (req, res) => {
    const q = parseQuery(attrQuery, req.query);
    const attrs = await withFile(q.file, q.path, (h5) => h5.attrs(q.path));
    const keys = q.attr_keys === undefined ? undefined : [q.attr_keys].flat();
    res.json(keys ? Object.fromEntries(keys.map((k) => [k, attrs[k]])) : attrs);
  });

  r.get(`${H5GROVE_PREFIX}/paths/`, async (req, res) => {
    const q = parseQuery(entityQuery, req.query);
    const paths = await withFile(q.file, q.path, (h5) => h5.tree(q.path).map((node) => node.path));
    res.json([q.path, ...paths]);
  });

  r.get(`${H5GROVE_PREFIX}/data/`, async (req, res) => {
    const q = parseQuery(dataQuery, req.query);
    const reply = await withFile(q.file, q.path, async (h5): Promise<{ body: string | Buffer; attachment?: string }> => {
      const dataset = h5.dataset(q.path);
      const selection = resolveSelection(q.selection === undefined ? [] : parseSelection(q.selection), dataset.shape);
      let data: NumericArray;
      if (isNumeric(dataset.dtype)) {
        data = readSelection(dataset, selection);
      } else {
        const located = h5.locate(q.path);
        const object = located.kind === "dataset" ? H5File.rawObject(located) : undefined;
        if (!object || !("slice" in object)) throw new NotFoundError(`${q.path} is not a dataset`);
        // Strings, compounds…: metadata-like datasets, as JSON values of the whole dataset.
        if (object.metadata.type !== H5T.ENUM && q.format === "json" && q.selection === undefined) return { body: JSON.stringify(object.json_value) };
        data = readEnumSelection(object, dataset.shape, selection);
      }
      if (q.format === "bin") return { body: toBytes(data, q.dtype === "origin" && !dataset.dtype.littleEndian) };
      if (q.format === "npy") return { body: toNpy(data, selection.shape), attachment: "data.npy" };
      return { body: toJson(data, selection.shape, q.flatten === "true") };
    });
    if (reply.attachment) res.attachment(reply.attachment);
    res.type(typeof reply.body === "string" ? "application/json" : "application/octet-stream").send(reply.body);
  });

  return r;
}
