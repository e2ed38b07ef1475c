/**
 * Worker threads running the kernel's own TypeScript modules. `--import tsx` does not reach
 * worker threads (Node 20), and registering tsx in each worker costs ~30 MiB of RSS per thread
 * (plus loading `typescript` through tsx's ESM path, ~130 MiB where a plain require costs ~50);
 * so a worker's module is bundled with esbuild (what tsx itself runs on) into plain CommonJS, its
 * packages left to Node's require from the module's own folder.
 */
import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * `module` and the kernel modules it imports: `import.meta.url` in them is `module`'s URL, which
 * is right for modules in `module`'s own folder, the only ones that use it.
 */
export function startTypeScriptWorker(module: URL, workerData: unknown = undefined): Worker {
  const path = fileURLToPath(module);
  const bundle = buildSync({
    entryPoints: [path],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    define: { "import.meta.url": JSON.stringify(module.href) },
    write: false,
    logLevel: "error",
  }).outputFiles[0]?.text;
  if (bundle === undefined) throw new Error(`esbuild made no bundle of ${path}`);
  // The bundle's require resolves packages from the module's folder, not the kernel's working directory.
  const source = `(function (require) {\n${bundle}\n})(require('node:module').createRequire(${JSON.stringify(path)}));`;
  // A small young generation: these threads hold long-lived state (the language service) or almost
  // none (control); V8's default reserves tens of MiB per thread (bench/kernel-memory.ts).
  return new Worker(source, { eval: true, workerData, resourceLimits: { maxYoungGenerationSizeMb: 3 } });
}
