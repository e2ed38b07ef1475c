import { Router } from "express";
import { HttpError } from "../../runtime/errors.ts";
import type { KernelSpecRegistry } from "./registry.ts";

/** Jupyter Server's /api/kernelspecs. */
export function kernelspecRoutes(specs: KernelSpecRegistry): Router {
  const r = Router();
  r.get("/api/kernelspecs", (_req, res) => {
    res.json({ default: specs.defaultName, kernelspecs: Object.fromEntries(specs.all().map((s) => [s.name, s])) });
  });
  r.get("/api/kernelspecs/:name", (req, res) => {
    const spec = specs.get(req.params.name);
    if (!spec) throw new HttpError(404, `No such kernel spec: ${req.params.name}`, "Not Found");
    res.json(spec);
  });
  return r;
}
