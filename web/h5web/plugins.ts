import type { Plugin } from '@h5web/h5wasm';

/** HDF5 filter plugins (bitshuffle, LZ4, Blosc, Zstd… of detector data), copied beside the bundle. */
export async function getPlugin(name: Plugin): Promise<ArrayBuffer | undefined> {
  const response = await fetch(`plugins/libH5Z${name}.so`);
  return response.ok ? response.arrayBuffer() : undefined;
}
