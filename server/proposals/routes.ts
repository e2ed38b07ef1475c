import { Router } from "express";
import { principalOf } from "../auth/middleware.ts";
import type { Proposals } from "./proposals.ts";

/** GET /api/lightbook/me/proposals: the caller's proposals and personal folder, for the header's switcher. */
export function myProposalRoutes(proposals: Proposals): Router {
  const r = Router();
  r.get("/api/lightbook/me/proposals", async (_req, res) => {
    res.json(await proposals.spacesOf(principalOf(res)));
  });
  return r;
}
