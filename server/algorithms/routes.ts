import { Router } from "express";
import { algorithmModels } from "../../contracts/algorithms.ts";

/**
 * GET /api/lightbook/algorithms: the named algorithms agents run, each with its parameters' JSON
 * Schema (derived from contracts/algorithms.ts, the schema runs are validated with), for forms
 * and clients that build recipes.
 */
export function algorithmRoutes(): Router {
  const r = Router();
  const models = algorithmModels();
  r.get("/api/lightbook/algorithms", (_req, res) => {
    res.json(models);
  });
  return r;
}
