/**
 * The one h5wasm instance of this process, with the compression plugins of `h5wasm-plugins` on its
 * search path. h5wasm's Node build uses Emscripten's NODERAWFS, so HDF5 reads the real file with
 * positioned reads, chunk by chunk: opening a file does not load it into memory.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { registerH5wasmLoadHook } from "./h5wasm-load-hook.ts";

// Loaded through a hook that keeps tsx from rewriting it (h5wasm-load-hook.ts), so imported here,
// after registering the hook, and not statically anywhere: import h5wasm from this module.
registerH5wasmLoadHook();
/** h5wasm's Node build (the high-level API: File, Dataset, …, and `ready`). */
export const h5wasm = (await import("h5wasm/node")).default;

export type H5Module = Awaited<typeof h5wasm.ready>;

/** HDF5 filter ids and the names users know them by (registered ids: https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md). */
export const FILTER_NAMES: Readonly<Record<number, string>> = {
  1: "gzip",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
  307: "bzip2",
  32000: "lzf",
  32001: "blosc",
  32004: "lz4",
  32008: "bitshuffle",
  32013: "zfp",
  32015: "zstd",
  32019: "jpeg",
  32022: "bitgroom",
  32023: "bitround",
  32026: "blosc2",
};

/** Plugin file (in h5wasm-plugins/plugins) for each filter id that is not built into HDF5. */
const PLUGIN_FILES: Readonly<Record<number, string>> = {
  307: "libH5Zbz2.so",
  32000: "libH5Zlzf.so",
  32001: "libH5Zblosc.so",
  32004: "libH5Zlz4.so",
  32008: "libH5Zbshuf.so",
  32013: "libH5Zzfp.so",
  32015: "libH5Zzstd.so",
  32019: "libH5Zjpeg.so",
  32022: "libH5Zbitgroom.so",
  32023: "libH5Zbitround.so",
  32026: "libH5Zblosc2.so",
};

/** Built into the HDF5 of h5wasm (szip is not). */
const BUILT_IN = new Set([1, 2, 3, 5, 6]);

let loaded: Promise<{ module: H5Module; available: Set<number> }> | undefined;
let availableLoaded: Set<number> | undefined;

async function load(): Promise<{ module: H5Module; available: Set<number> }> {
  const module = await h5wasm.ready;
  // Throw JS errors from HDF5 calls instead of printing HDF5-DIAG to stderr and returning -1.
  module.activate_throwing_error_handler();
  const pluginDir = path.join(path.dirname(createRequire(import.meta.url).resolve("h5wasm-plugins/package.json")), "plugins");
  module.insert_plugin_search_path(pluginDir, 0);
  const available = new Set(BUILT_IN);
  for (const [id, file] of Object.entries(PLUGIN_FILES)) if (existsSync(path.join(pluginDir, file))) available.add(Number(id));
  availableLoaded = available;
  return { module, available };
}

/** h5wasm, ready, with the plugins installed. */
export async function h5module(): Promise<H5Module> {
  loaded ??= load();
  return (await loaded).module;
}

/** Filter ids this process can decode (built-in and installed plugins); call after {@link h5module}. */
export function availableFiltersNow(): ReadonlySet<number> {
  if (!availableLoaded) throw new Error("h5module() has not finished loading");
  return availableLoaded;
}
