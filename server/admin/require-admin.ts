import type { RequestHandler } from "express";
import { authorize, type AccessResolver } from "../auth/authorizer.ts";

/** The guard of /api/lightbook/admin/*: the service is the admins' (server/auth/authorizer.ts). */
export function requireAdmin(access: AccessResolver): RequestHandler {
  return (_req, res, next) => {
    authorize(res, access, "write", { kind: "service" }, "Only admins may manage users, proposals and tokens").then(() => next(), next);
  };
}
