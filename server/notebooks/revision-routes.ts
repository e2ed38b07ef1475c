import { Router } from "express";
import { HttpError } from "../../runtime/errors.ts";
import { revisionListQuery } from "../../contracts/revisions.ts";
import { principalOf } from "../auth/middleware.ts";
import { parseQuery } from "../http/validate.ts";
import type { NotebookRevisions } from "./revisions.ts";
import { authorize, type AccessResolver } from "../auth/authorizer.ts";
import { REVISIONS_ROUTE, revisionsTarget } from "./validation.ts";

/**
 * /api/lightbook/notebooks/{path}/revisions: a notebook's revisions, newest first, without their
 * notebooks; …/revisions/{id}: one with its notebook; POST …/revisions/{id}/restore: a new head.
 */
export function revisionRoutes(revisions: NotebookRevisions, access: AccessResolver): Router {
  const r = Router();
  // One route for the three (all methods): a wrong method is a 405 naming the right one.
  r.all(REVISIONS_ROUTE, async (req, res) => {
    const target = revisionsTarget(req.path)!;
    const method = req.method === "HEAD" ? "GET" : req.method;
    const allowed = target.kind === "restore" ? "POST" : "GET";
    if (method !== allowed) throw new HttpError(405, `${req.method} is not allowed here; use ${allowed}`, "Method Not Allowed");
    await authorize(res, access, target.kind === "restore" ? "write" : "read", { kind: "notebook", path: target.path }, `No such notebook: ${target.path}`);
    switch (target.kind) {
      case "list":
        return void res.json(await revisions.list(target.path, parseQuery(revisionListQuery, req.query)));
      case "revision":
        return void res.json(await revisions.get(target.path, target.id));
      case "restore":
        return void res.status(201).json(await revisions.restore(target.path, target.id, principalOf(res).username));
    }
  });
  return r;
}
