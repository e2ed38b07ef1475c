/**
 * Frames of HDF5 datasets for agents: one open file per task (a partition of frames reads many
 * frames of one file), closed when the task ends.
 */
import path from 'node:path';
import h5wasm from 'h5wasm/node';

/** One detector frame: its index along the dataset's first axis, its pixels and its shape. */
export interface Frame {
  index: number;
  data: ArrayLike<number> & { length: number };
  shape: number[];
}

export class FrameReader {
  readonly #files = new Map<string, InstanceType<typeof h5wasm.File>>();

  constructor(private readonly dataRoot: string) {}

  async read(file: string, dataset: string, index: number): Promise<Frame> {
    await h5wasm.ready;
    const full = path.resolve(this.dataRoot, file);
    if (!full.startsWith(path.resolve(this.dataRoot) + path.sep)) throw new Error(`not under the data root: ${file}`);
    let h5 = this.#files.get(full);
    if (!h5) {
      h5 = new h5wasm.File(full, 'r');
      this.#files.set(full, h5);
    }
    const ds = h5.get(dataset);
    if (!(ds instanceof h5wasm.Dataset)) throw new Error(`no dataset ${dataset} in ${file}`);
    const shape = ds.shape ?? [];
    if (shape.length < 1 || index >= shape[0]!) throw new Error(`frame ${index} is outside ${file}:${dataset} (shape ${JSON.stringify(shape)})`);
    const data = ds.slice([[index, index + 1]]);
    if (data === null || typeof data !== 'object' || !('length' in data)) throw new Error(`${file}:${dataset} is not numeric`);
    return { index, data: data as ArrayLike<number> & { length: number }, shape: shape.slice(1) };
  }

  close(): void {
    for (const f of this.#files.values()) f.close();
    this.#files.clear();
  }
}
