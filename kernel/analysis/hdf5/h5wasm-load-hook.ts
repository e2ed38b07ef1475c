/**
 * A module loader hook (node:module `register`) that hands h5wasm's Node build to Node as it is.
 * tsx rewrites the dynamic `import()`s of every ES module it loads and builds a fine-grained source
 * map of the result; h5wasm's hdf5_util.js is one 4 MB file with the WebAssembly inlined as base64,
 * and that rewrite costs about 600 MB of memory and seconds at every start. Hooks registered later
 * are asked first, so this one, registered after tsx, keeps tsx away from these plain JavaScript files.
 * Register it (`registerH5wasmLoadHook`) before anything imports h5wasm: module.ts does, and the
 * kernel at start, since cells may import h5wasm themselves.
 */
import { readFile } from "node:fs/promises";
import { register } from "node:module";

let registered = false;

/** Installs this hook for this thread's later imports; once is enough. */
export function registerH5wasmLoadHook(): void {
  if (registered) return;
  registered = true;
  register(import.meta.url, { data: { folder: new URL(".", import.meta.resolve("h5wasm/node")).href } });
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
