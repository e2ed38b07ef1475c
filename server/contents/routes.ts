import { Router, type Request, type Response } from "express";
import { parseBody } from "../http/validate.ts";
import type { ContentsManager } from "./manager.ts";
import { createBody, renameBody, saveBody, type ContentType } from "../../contracts/contents.ts";
import { normalizeContentsPath } from "./paths.ts";
import { principalOf } from "../auth/middleware.ts";
import { parseIfMatch } from "../notebooks/revisions.ts";
import { OUTPUTS_HEADER, OUTPUTS_HEADER_SERVER } from "../../contracts/executions.ts";
import type { ContentsModel } from "../../contracts/contents.ts";
import { accessOf, authorize, visible, type AccessResolver, type Action } from "../auth/authorizer.ts";

const PREFIX = "/api/contents";

/** The raw (still percent-encoded) path after /api/contents, normalised once. */
function contentsPath(req: Request): string {
  return normalizeContentsPath(req.path.slice(PREFIX.length));
}

function location(path: string): string {
  return `${PREFIX}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** Jupyter Server's /api/contents: https://jupyter-server.readthedocs.io/en/latest/developers/rest-api.html */
export function contentsRoutes(contents: ContentsManager, access: AccessResolver): Router {
  const r = Router();
  const route = `${PREFIX}{/*path}`;
  /** The path, once the principal may do `action` to it; someone else's answers as a missing one. */
  const allowed = async (res: Response, action: Action, path: string): Promise<string> => {
    await authorize(res, access, action, { kind: "notebook", path }, `No such file or directory: ${path}`);
    return path;
  };

  r.get(route, async (req, res) => {
    const type = typeof req.query.type === "string" ? (req.query.type as ContentType) : undefined;
    const content = req.query.content !== "0";
    const path = await allowed(res, "read", contentsPath(req));
    const model = await contents.get(path, { content, type });
    if (model.type === "directory" && Array.isArray(model.content)) {
      const a = await accessOf(res, access);
      model.content = (model.content as ContentsModel[]).filter((c) => visible(a, { kind: "notebook", path: c.path }));
    }
    res.json(model);
  });

  r.put(route, async (req, res) => {
    const path = await allowed(res, "write", contentsPath(req));
    // If-Match (a Lightbook page's): the revision its edits start from; without it the last writer wins, as in Jupyter.
    const base = parseIfMatch(req.get("If-Match"));
    const keepOutputs = req.get(OUTPUTS_HEADER) === OUTPUTS_HEADER_SERVER;
    const { model, created } = await contents.save(path, parseBody(saveBody, req.body), { author: principalOf(res).username, base, keepOutputs });
    if (created) res.status(201).location(location(path));
    res.json(model);
  });

  r.post(route, async (req, res) => {
    const body = parseBody(createBody, req.body);
    const copyFrom = body.copy_from === undefined ? undefined : await allowed(res, "read", normalizeContentsPath(body.copy_from));
    const model = await contents.create(
      await allowed(res, "write", contentsPath(req)),
      { type: body.type, ext: body.ext, copyFrom },
      principalOf(res).username,
    );
    res.status(201).location(location(model.path)).json(model);
  });

  r.patch(route, async (req, res) => {
    const to = await allowed(res, "write", normalizeContentsPath(parseBody(renameBody, req.body).path));
    const model = await contents.rename(await allowed(res, "write", contentsPath(req)), to);
    res.location(location(model.path)).json(model);
  });

  r.delete(route, async (req, res) => {
    await contents.delete(await allowed(res, "write", contentsPath(req)));
    res.status(204).end();
  });

  return r;
}
