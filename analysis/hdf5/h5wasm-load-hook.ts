/**
 * A module loader hook (node:module `register`) that hands h5wasm's Node build to Node as it is.
 * tsx rewrites the dynamic `import()`s of every ES module it loads and builds a fine-grained source
 * map of the result; h5wasm's hdf5_util.js is one 4 MB file with the WebAssembly inlined as base64,
 * and that rewrite costs about 600 MB of memory and seconds at every start. Hooks registered later
 * are asked first, so this one, registered after tsx, keeps tsx away from these plain JavaScript files.
 * Register it (`registerH5wasmLoadHook`) before anything imports h5wasm: module.ts does, and the
 * kernel at start, since cells may import h5wasm themselves.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import module, { register } from "node:module";

let registered = false;

/** Installs this hook for this thread's later imports; once is enough. */
export function registerH5wasmLoadHook(): void {
  if (registered) return;
  registered = true;
  const h5wasmFolder = new URL(".", import.meta.resolve("h5wasm/node")).href;
  // Where Node has in-thread hooks (22.15+, 24), tsx registers there, and those run before any
  // hook registered off-thread with register(): this one must be in-thread too to be asked first.
  if (typeof module.registerHooks === "function") {
    module.registerHooks({
      load: (url, context, nextLoad) =>
        url.startsWith(h5wasmFolder) && url.endsWith(".js")
          ? { format: "module", source: readFileSync(new URL(url)), shortCircuit: true }
          : nextLoad(url, context),
    });
    return;
  }
  register(import.meta.url, { data: { folder: h5wasmFolder } });
}

interface LoadResult {
  format: string;
  source: Buffer;
  shortCircuit: true;
}
type NextLoad = (url: string, context: object) => Promise<unknown>;

let folder = "";

/** `data.folder`: the URL of h5wasm's dist/node/ folder, ending in "/". */
export function initialize(data: { folder: string }): void {
  folder = data.folder;
}

export async function load(url: string, context: object, nextLoad: NextLoad): Promise<unknown> {
  if (!url.startsWith(folder) || !url.endsWith(".js")) return nextLoad(url, context);
  return { format: "module", source: await readFile(new URL(url)), shortCircuit: true } satisfies LoadResult;
}
