import { Router } from "express";
import { createTokenBody } from "../../contracts/accounts.ts";
import { idParam, parseBody } from "../http/validate.ts";
import { principalOf } from "../auth/middleware.ts";
import type { Accounts } from "./accounts.ts";

/**
 * /api/lightbook/me and /api/lightbook/tokens: the caller and their personal API tokens. Each
 * user sees and revokes only their own; the secret is in the creation answer only.
 */
export function accountRoutes(accounts: Accounts): Router {
  const r = Router();
  r.get("/api/lightbook/me", (_req, res) => {
    res.json(principalOf(res));
  });
  r.get("/api/lightbook/tokens", async (_req, res) => {
    res.json(await accounts.listTokens(principalOf(res).userId));
  });
  r.post("/api/lightbook/tokens", async (req, res) => {
    const created = await accounts.createToken(principalOf(res).userId, parseBody(createTokenBody, req.body));
    res.status(201).location(`/api/lightbook/tokens/${created.id}`).json(created);
  });
  r.delete("/api/lightbook/tokens/:id", async (req, res) => {
    await accounts.revokeToken(principalOf(res).userId, idParam(req, "id", "token"));
    res.status(204).end();
  });
  return r;
}
