import { realpath } from "node:fs/promises";
import path from "node:path";
import type { Response } from "express";
import { authorize, type AccessResolver } from "../auth/authorizer.ts";
import type { DataPath } from "./paths.ts";

/**
 * Refuses a data path the principal may not read: the path asked for and the real one it leads to
 * (a symlink in one proposal's folder into another's is refused) must both be inside a folder
 * they reach. `missing`: what a missing file answers, so that a refused one answers the same.
 * The root's real path is read once, not per request.
 */
export function dataPathAuthorizer(access: AccessResolver, root: string): (res: Response, p: DataPath, missing: string) => Promise<void> {
  let realRoot: Promise<string> | undefined;
  return async (res, p, missing) => {
    realRoot ??= realpath(root);
    const real = path
      .relative(await realRoot, p.absolute)
      .split(path.sep)
      .join("/");
    for (const where of new Set([p.relative, real])) await authorize(res, access, "read", { kind: "data", path: where }, missing);
  };
}
