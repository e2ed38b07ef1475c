import { createRequire } from "node:module";
import path from "node:path";

/** The repository root, which holds node_modules, web/ and kernel/. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..");

/** tsx's loader, so child processes (kernels, agents) run TypeScript as the server does. */
export const TSX_LOADER = createRequire(import.meta.url).resolve("tsx");

export const WEB_DIR = path.join(PROJECT_ROOT, "web");
