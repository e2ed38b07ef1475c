import { Router } from "express";
import type { ExecutionsResponse } from "../../contracts/journal.ts";
import type { KernelManager } from "./manager.ts";
import type { AccessResolver } from "../auth/authorizer.ts";
import { ownKernel } from "./routes.ts";

/**
 * GET /api/lightbook/kernels/{id}/executions: the output journal of a running kernel. Each says
 * whether the client that ran it is still attached (it then saves the outputs, not the asking page).
 */
export function journalRoutes(kernels: KernelManager, access: AccessResolver): Router {
  const r = Router();
  r.get("/api/lightbook/kernels/:id/executions", async (req, res) => {
    const kernel = await ownKernel(res, kernels, access, req.params.id);
    const body: ExecutionsResponse = {
      executions: kernels.journal.executions(kernel.id).map((e) => ({ ...e, requester_attached: kernel.attached(e.session) })),
    };
    res.json(body);
  });
  return r;
}
