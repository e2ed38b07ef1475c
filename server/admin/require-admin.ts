import type { RequestHandler } from "express";
import { HttpError } from "../../runtime/errors.ts";
import { principalOf } from "../auth/middleware.ts";

/**
 * The one guard of /api/lightbook/admin/*: admins only. Kept to this one function so that the
 * authorizer of issue 13, item 3 (`can(principal, action, resource)`) replaces it in one place.
 */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (principalOf(res).role === "admin") return next();
  next(new HttpError(403, "Only admins may manage users, proposals and tokens", "Forbidden"));
};
