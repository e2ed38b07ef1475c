import { Router } from "express";
import { parseBody } from "../http/validate.ts";
import type { KernelManager } from "./manager.ts";
import { startKernelBody } from "../../contracts/kernels.ts";

/** Jupyter Server's /api/kernels: thin handlers over the kernel manager. */
export function kernelRoutes(kernels: KernelManager): Router {
  const r = Router();
  r.get("/api/kernels", (_req, res) => {
    res.json(kernels.list());
  });
  r.post("/api/kernels", async (req, res) => {
    const kernel = await kernels.start(parseBody(startKernelBody, req.body).name);
    res.status(201).location(`/api/kernels/${kernel.id}`).json(kernel.model());
  });
  r.get("/api/kernels/:id", (req, res) => {
    res.json(kernels.get(req.params.id).model());
  });
  r.delete("/api/kernels/:id", async (req, res) => {
    await kernels.shutdown(req.params.id);
    res.status(204).end();
  });
  r.post("/api/kernels/:id/interrupt", async (req, res) => {
    await kernels.get(req.params.id).interrupt();
    res.status(204).end();
  });
  r.post("/api/kernels/:id/restart", async (req, res) => {
    const kernel = await kernels.restart(req.params.id);
    res.json(kernel.model());
  });
  return r;
}
