import { realpath } from "node:fs/promises";
import path from "node:path";
import type { Response } from "express";
import { authorize, type AccessResolver } from "../auth/authorizer.ts";
import type { DataPath } from "./paths.ts";

/**
 * Refuses a data path the principal may not read: the path asked for and the real one it leads to
 * (a symlink in one proposal's folder into another's is refused) must both be inside a folder
 * they reach. `missing`: what a missing file answers, so that a refused one answers the same.
 */
export async function authorizeDataPath(res: Response, access: AccessResolver, root: string, p: DataPath, missing: string): Promise<void> {
  const real = path
    .relative(await realpath(root), p.absolute)
    .split(path.sep)
    .join("/");
  for (const where of new Set([p.relative, real])) await authorize(res, access, "read", { kind: "data", path: where }, missing);
}
