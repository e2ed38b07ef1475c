import { cp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { WEB_DIR } from "../paths.ts";

const SOURCE_DIR = path.join(WEB_DIR, "h5web");
/** The built page, served at /h5web/. */
export const H5WEB_OUT_DIR = path.join(SOURCE_DIR, "dist");

export function h5webIsBuilt(): boolean {
  return existsSync(path.join(H5WEB_OUT_DIR, "main.js"));
}

/**
 * Bundles H5Web with React 18 (`react18`/`react-dom18` installed under npm aliases): H5Web and its
 * react-three-fiber 8 do not run on the React 19 of the Next app.
 */
export async function buildH5Web(): Promise<void> {
  await rm(H5WEB_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(SOURCE_DIR, "main.tsx")],
    outdir: H5WEB_OUT_DIR,
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    jsx: "automatic",
    alias: { react: "react18", "react-dom": "react-dom18" },
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  await cp(path.join(SOURCE_DIR, "index.html"), path.join(H5WEB_OUT_DIR, "index.html"));
}
