import { Router } from "express";
import type { ExecutionsResponse } from "../../contracts/journal.ts";
import type { KernelManager } from "./manager.ts";

/**
 * GET /api/lightbook/kernels/{id}/executions: the output journal of a running kernel. Each says
 * whether the client that ran it is still attached (it then saves the outputs, not the asking page).
 */
export function journalRoutes(kernels: KernelManager): Router {
  const r = Router();
  r.get("/api/lightbook/kernels/:id/executions", (req, res) => {
    const kernel = kernels.get(req.params.id); // 404 for an unknown kernel
    const body: ExecutionsResponse = {
      executions: kernels.journal.executions(kernel.id).map((e) => ({ ...e, requester_attached: kernel.attached(e.session) })),
    };
    res.json(body);
  });
  return r;
}
