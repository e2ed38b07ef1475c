import { Router, type Response } from "express";
import { parseBody } from "../http/validate.ts";
import type { KernelManager } from "./manager.ts";
import type { ManagedKernel } from "./managed-kernel.ts";
import { startKernelBody } from "../../contracts/kernels.ts";
import { accessOf, authorize, can, type AccessResolver } from "../auth/authorizer.ts";
import { principalOf } from "../auth/middleware.ts";
import type { Principal } from "../../contracts/accounts.ts";
import { HttpError } from "../../runtime/errors.ts";

/** The kernel, when it is the principal's (or they are an admin); anyone else's is "does not exist". */
export async function ownKernel(res: Response, kernels: KernelManager, access: AccessResolver, id: string): Promise<ManagedKernel> {
  const kernel = kernels.get(id);
  await authorize(res, access, "write", { kind: "kernel", ...kernels.ownershipOf(id) }, `Kernel does not exist: ${id}`);
  return kernel;
}

/**
 * The proposal a kernel started by this principal is for: a token narrowed to one proposal starts
 * its kernels for it (so that it reaches them); one narrowed to several must say which, through a
 * session for a notebook under proposals/<number>/.
 */
function scopedProposal(p: Principal): string | null {
  const only = p.proposalIds;
  if (only === null || only.length === 0) return null;
  if (only.length === 1) return only[0]!;
  throw new HttpError(400, "This API token is narrowed to several proposals: start the kernel through a session for a notebook of one of them", "Bad Request");
}

/** Jupyter Server's /api/kernels: thin handlers over the kernel manager. Each user lists and reaches only their own. */
export function kernelRoutes(kernels: KernelManager, access: AccessResolver): Router {
  const r = Router();
  r.get("/api/kernels", async (_req, res) => {
    const a = await accessOf(res, access);
    res.json(kernels.list((owner) => can(a, "read", { kind: "kernel", ...owner })));
  });
  r.post("/api/kernels", async (req, res) => {
    const body = parseBody(startKernelBody, req.body);
    const p = principalOf(res);
    const kernel = await kernels.start(body.name, p.userId, scopedProposal(p));
    res.status(201).location(`/api/kernels/${kernel.id}`).json(kernel.model());
  });
  r.get("/api/kernels/:id", async (req, res) => {
    res.json((await ownKernel(res, kernels, access, req.params.id)).model());
  });
  r.delete("/api/kernels/:id", async (req, res) => {
    await ownKernel(res, kernels, access, req.params.id);
    await kernels.shutdown(req.params.id);
    res.status(204).end();
  });
  r.post("/api/kernels/:id/interrupt", async (req, res) => {
    await (await ownKernel(res, kernels, access, req.params.id)).interrupt();
    res.status(204).end();
  });
  r.post("/api/kernels/:id/restart", async (req, res) => {
    await ownKernel(res, kernels, access, req.params.id);
    res.json((await kernels.restart(req.params.id)).model());
  });
  return r;
}
