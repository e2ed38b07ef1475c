/**
 * Frames of HDF5 datasets for agents, read through the analysis library (so the compression
 * filters of real detector files, bitshuffle/LZ4 and friends, work as in cells): one open file
 * and dataset per task (a partition reads many frames of one file), closed when the task ends.
 */
import { openH5, type H5Dataset, type H5File } from "../analysis/index.ts";

/** One detector frame: its index along the dataset's first axis, its pixels and its shape. */
export interface Frame {
  index: number;
  data: ArrayLike<number> & { length: number };
  shape: number[];
}

export class FrameReader {
  readonly #files = new Map<string, H5File>();
  readonly #datasets = new Map<string, H5Dataset>();

  constructor(
    private readonly dataRoot: string,
    private readonly folders: readonly string[],
  ) {}

  async read(file: string, dataset: string, index: number): Promise<Frame> {
    const key = `${file}\0${dataset}`;
    let ds = this.#datasets.get(key);
    if (!ds) {
      let h5 = this.#files.get(file);
      if (!h5) {
        h5 = await openH5(file, { root: this.dataRoot, folders: this.folders });
        this.#files.set(file, h5);
      }
      ds = h5.dataset(dataset);
      this.#datasets.set(key, ds);
    }
    const frame = ds.frame(index);
    return { index, data: frame.data as ArrayLike<number> & { length: number }, shape: [...frame.shape] };
  }

  close(): void {
    for (const f of this.#files.values()) f.close();
    this.#files.clear();
    this.#datasets.clear();
  }
}
