import { Router } from "express";
import { parseBody } from "../http/validate.ts";
import type { SessionManager } from "./manager.ts";
import { createSessionBody, updateSessionBody } from "../../contracts/sessions.ts";

/** Jupyter Server's /api/sessions. */
export function sessionRoutes(sessions: SessionManager): Router {
  const r = Router();
  r.get("/api/sessions", (_req, res) => {
    res.json(sessions.list());
  });
  r.post("/api/sessions", async (req, res) => {
    const model = await sessions.create(parseBody(createSessionBody, req.body));
    res.status(201).location(`/api/sessions/${model.id}`).json(model);
  });
  r.get("/api/sessions/:id", (req, res) => {
    res.json(sessions.get(req.params.id));
  });
  r.patch("/api/sessions/:id", async (req, res) => {
    res.json(await sessions.update(req.params.id, parseBody(updateSessionBody, req.body)));
  });
  r.delete("/api/sessions/:id", async (req, res) => {
    await sessions.delete(req.params.id);
    res.status(204).end();
  });
  return r;
}
