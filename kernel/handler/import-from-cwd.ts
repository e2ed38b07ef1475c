/**
 * `import` statements in cells resolve from the kernel's working directory (Jupyter starts kernels
 * in the notebook's directory), so a notebook imports its project's packages and local modules.
 */
import { register } from "node:module";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { CWD_SCHEME } from "./cwd-resolve-hooks.ts";

let hooksRegistered = false;

export function importFromCwd(specifier: string): Promise<unknown> {
  if (!hooksRegistered) {
    register(new URL("./cwd-resolve-hooks.ts", import.meta.url));
    hooksRegistered = true;
  }
  // Read on every import: a cell may have called process.chdir().
  const parent = pathToFileURL(join(process.cwd(), "/")).href;
  return import(`${CWD_SCHEME}${encodeURIComponent(parent)}:${specifier}`);
}
