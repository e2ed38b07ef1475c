import { Router, type Response } from "express";
import { parseBody } from "../http/validate.ts";
import type { SessionManager } from "./manager.ts";
import type { KernelManager } from "../kernels/manager.ts";
import { ownKernel } from "../kernels/routes.ts";
import { createSessionBody, updateSessionBody } from "../../contracts/sessions.ts";
import { normalizeContentsPath } from "../contents/paths.ts";
import { accessOf, authorize, can, type AccessResolver } from "../auth/authorizer.ts";
import { principalOf } from "../auth/middleware.ts";

/**
 * Jupyter Server's /api/sessions. A session is its kernel's owner's; it names a notebook the
 * owner may write (its outputs are saved there), and a kernel given by id must be theirs too.
 */
export function sessionRoutes(sessions: SessionManager, kernels: KernelManager, access: AccessResolver): Router {
  const r = Router();
  const ownSession = async (res: Response, id: string): Promise<void> => {
    sessions.get(id); // 404 for an unknown one
    await authorize(res, access, "write", { kind: "kernel", ...sessions.ownershipOf(id) }, `Session not found: ${id}`);
  };
  const mayUse = async (res: Response, change: { path?: string; kernel?: { id?: string } }): Promise<void> => {
    if (change.path !== undefined) {
      const path = normalizeContentsPath(change.path);
      await authorize(res, access, "write", { kind: "notebook", path }, `No such file or directory: ${path}`);
    }
    if (change.kernel?.id !== undefined) await ownKernel(res, kernels, access, change.kernel.id);
  };
  r.get("/api/sessions", async (_req, res) => {
    const a = await accessOf(res, access);
    res.json(sessions.list((owner) => can(a, "read", { kind: "kernel", ...owner })));
  });
  r.post("/api/sessions", async (req, res) => {
    const body = parseBody(createSessionBody, req.body);
    await mayUse(res, body);
    const model = await sessions.create(body, principalOf(res).userId);
    res.status(201).location(`/api/sessions/${model.id}`).json(model);
  });
  r.get("/api/sessions/:id", async (req, res) => {
    await ownSession(res, req.params.id);
    res.json(sessions.get(req.params.id));
  });
  r.patch("/api/sessions/:id", async (req, res) => {
    await ownSession(res, req.params.id);
    const change = parseBody(updateSessionBody, req.body);
    await mayUse(res, change);
    res.json(await sessions.update(req.params.id, change, principalOf(res).userId));
  });
  r.delete("/api/sessions/:id", async (req, res) => {
    await ownSession(res, req.params.id);
    await sessions.delete(req.params.id);
    res.status(204).end();
  });
  return r;
}
