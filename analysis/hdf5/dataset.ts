/** One dataset: its layout, and reads of a frame, a range of frames or a region of interest. */
import { Hdf5Error, MissingFilterError, ParameterError } from "../errors.ts";
import { readAttrs } from "./attrs.ts";
import { bytesOf, directRead, directReadable } from "./direct-read.ts";
import { arrayType, dtypeOf, isNumeric } from "./dtype.ts";
import { hdf5Reason } from "./hdf5-reason.ts";
import { availableFiltersNow, FILTER_NAMES, type h5wasm } from "./module.ts";
import type { Storage, StorageFile } from "./storage.ts";
import type { Attrs, DType, FilterInfo, FrameSource, NdArray, NumericArray, Roi } from "./types.ts";

type RawDataset = InstanceType<typeof h5wasm.Dataset>;

/** Per dimension: one index (the dimension is dropped), a half-open [start, end) range, or null for all. */
export type Selection = (number | [number, number] | null)[];

/** Finds where a dataset's bytes are in its file (see storage.ts); null when h5wasm must read it. */
export type LocateStorage = (shape: number[], elementBytes: number) => { file: StorageFile; storage: Storage } | null;

export class H5Dataset implements FrameSource {
  readonly shape: number[];
  readonly dtype: DType;
  /** Chunk shape, or null for contiguous/compact storage. */
  readonly chunks: number[] | null;
  readonly filters: FilterInfo[];
  readonly #raw: RawDataset;
  readonly #locate: LocateStorage | undefined;
  #storage: { file: StorageFile; storage: Storage } | null | undefined;

  /** @internal use `H5File.dataset`. */
  constructor(
    raw: RawDataset,
    /** File that holds the data (the data file, for a dataset reached through an external link). */
    readonly file: string,
    /** Path in that file. */
    readonly path: string,
    /** Path as the user asked for it, for messages. */
    readonly requested: string,
    /** For files opened read-only: lets reads of common layouts bypass h5wasm (direct-read.ts). */
    locate?: LocateStorage,
  ) {
    this.#raw = raw;
    this.#locate = locate;
    const metadata = raw.metadata;
    this.shape = metadata.shape ?? [];
    this.dtype = dtypeOf(metadata);
    this.chunks = metadata.chunks;
    this.filters = raw.filters.map((f) => ({ id: f.id, name: FILTER_NAMES[f.id] ?? f.name, cdValues: f.cd_values }));
  }

  /** Number of frames: the first dimension of a 3D dataset, 1 for a 2D image. */
  get length(): number {
    return this.shape.length === 3 ? this.shape[0]! : 1;
  }

  get frameShape(): [number, number] {
    if (this.shape.length < 2) throw this.#error(ParameterError, `a ${this.shape.length}D dataset has no frames`);
    return [this.shape.at(-2)!, this.shape.at(-1)!];
  }

  attrs(): Attrs {
    return readAttrs(this.#raw);
  }

  /**
   * Frame `index` of a 3D dataset (or the image of a 2D one, index 0), shape [rows, columns]; into
   * `into` if given (see {@link read}).
   */
  frame(index: number, into?: NumericArray): NdArray {
    return this.shape.length === 2 && index === 0 ? this.read([null, null], into) : this.read([this.#frameIndex(index, "index"), null, null], into);
  }

  /** Frames [start, end) of a 3D dataset, shape [end - start, rows, columns]. */
  frames(start: number, end: number): NdArray {
    return this.read([[start, end], null, null]);
  }

  /** A rectangle of frame `index`, shape [height, width]. */
  roi(index: number, roi: Roi): NdArray {
    const rows: [number, number] = [roi.y, roi.y + roi.height];
    const cols: [number, number] = [roi.x, roi.x + roi.width];
    return this.read(this.shape.length === 2 ? [rows, cols] : [this.#frameIndex(index, "index"), rows, cols]);
  }

  /** The whole dataset (mind the size: prefer frame/frames/roi for detector data). */
  readAll(): NdArray {
    return this.read(this.shape.map(() => null));
  }

  /**
   * A selection in numpy terms; see {@link Selection}. With `into` (an array of the dataset's type,
   * e.g. Uint32Array for uint32, with as many elements as selected) the values go there, and a loop
   * over frames reuses one array instead of making one per frame, as h5py's `read_direct`.
   */
  read(selection: Selection, into?: NumericArray): NdArray {
    if (!isNumeric(this.dtype))
      throw this.#error(ParameterError, `reading ${this.dtype.kind} datasets as arrays is not supported; use attrs() or h5wasm directly`);
    const { ranges, shape } = this.#ranges(selection);
    this.#checkFilters();
    if (into) {
      const Type = arrayType(this.dtype);
      const count = ranges.reduce((n, [start, end]) => n * (end - start), 1);
      if (!Type || !(into instanceof Type) || into.length !== count) {
        throw this.#error(ParameterError, `must be a ${Type?.name ?? "typed array"} of ${count} elements for this selection`, "into");
      }
    }
    const direct = this.#directRead(ranges, into);
    if (direct) return { data: direct, shape };
    let data;
    try {
      data = this.shape.length === 0 ? this.#raw.value : this.#raw.slice(ranges);
    } catch (e) {
      throw this.#error(Hdf5Error, `read failed: ${hdf5Reason(e)}`, undefined, e);
    }
    // h5wasm returns scalars as plain numbers; keep the element type.
    if (typeof data === "number" || typeof data === "bigint") data = scalarArray(this.dtype, data);
    if (!ArrayBuffer.isView(data)) throw this.#error(Hdf5Error, "h5wasm returned no array");
    if (into) bytesOf(into).set(bytesOf(data as NumericArray));
    return { data: into ?? (data as NumericArray), shape };
  }

  /**
   * Bytes that reading `selection` makes HDF5 decode: every chunk it touches, whole (a filter
   * decodes nothing smaller), or the selected elements of unchunked data. A file of a few kB can
   * declare a chunk of gigabytes; callers that read on behalf of others check this first.
   */
  readBytes(selection: Selection): number {
    const { ranges } = this.#ranges(selection);
    const chunks = this.chunks;
    return ranges.reduce((bytes, [start, end], d) => {
      if (!chunks) return bytes * (end - start);
      const c = chunks[d]!;
      return bytes * (Math.ceil(end / c) - Math.floor(start / c)) * c;
    }, this.dtype.bytes);
  }

  /** Per dimension the half-open range `selection` reads, and the shape of the result (indexed dimensions dropped). */
  #ranges(selection: Selection): { ranges: [number, number][]; shape: number[] } {
    if (selection.length > this.shape.length)
      throw this.#error(ParameterError, `selection has ${selection.length} dimensions, the dataset ${this.shape.length}`, "selection");
    const ranges: [number, number][] = [];
    const shape: number[] = [];
    for (const [dim, size] of this.shape.entries()) {
      const s = selection[dim] ?? null;
      if (s === null) {
        ranges.push([0, size]);
        shape.push(size);
      } else if (typeof s === "number") {
        const i = this.#index(s, size, `selection[${dim}]`);
        ranges.push([i, i + 1]);
      } else {
        const [start, end] = s;
        if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > size || start >= end) {
          throw this.#error(ParameterError, `range [${start}, ${end}) is empty or outside 0..${size}`, `selection[${dim}]`);
        }
        ranges.push([start, end]);
        shape.push(end - start);
      }
    }
    return { ranges, shape };
  }

  /**
   * Whether reads of whole frames (of contiguous data: any run of consecutive elements) go straight
   * to the file, bypassing h5wasm: read-only files, little-endian numbers, contiguous or chunked by
   * whole frames, unfiltered, gzip or bitshuffle-LZ4. Other reads, and chunks never written, go through h5wasm.
   */
  get directReads(): boolean {
    const located = this.#located();
    return located !== null && directReadable(located.storage, this.shape, this.dtype, this.filters);
  }

  #located(): { file: StorageFile; storage: Storage } | null {
    if (this.#storage === undefined) {
      try {
        this.#storage = this.#locate?.(this.shape, this.dtype.bytes) ?? null;
      } catch {
        // A layout this reader does not know, or a damaged header: h5wasm reads (or reports) it.
        this.#storage = null;
      }
    }
    return this.#storage;
  }

  #directRead(ranges: [number, number][], into: NumericArray | undefined): NumericArray | undefined {
    const located = this.#located();
    if (!located) return undefined;
    try {
      return directRead(located.file, located.storage, this.shape, this.dtype, this.filters, ranges, into);
    } catch {
      // A damaged chunk or a short file: h5wasm reads it again and reports what is wrong.
      return undefined;
    }
  }

  #frameIndex(index: number, parameter: string): number {
    if (this.shape.length !== 3)
      throw this.#error(ParameterError, `frames are the first dimension of a 3D dataset; this one has shape [${this.shape.join(", ")}]`, parameter);
    return this.#index(index, this.shape[0]!, parameter);
  }

  #index(i: number, size: number, parameter: string): number {
    if (!Number.isInteger(i) || i < -size || i >= size) throw this.#error(ParameterError, `index ${i} is outside 0..${size - 1}`, parameter);
    return i < 0 ? i + size : i;
  }

  #checkFilters(): void {
    const available = availableFiltersNow();
    const missing = this.filters.filter((f) => !available.has(f.id));
    if (missing.length > 0) {
      throw this.#error(MissingFilterError, `cannot decode: filter ${missing.map((f) => `${f.name} (id ${f.id})`).join(", ")} is not available`);
    }
  }

  #error<E extends ParameterError | Hdf5Error | MissingFilterError>(
    Kind: new (message: string, context: { file: string; dataset: string; parameter?: string }, options?: { cause?: unknown }) => E,
    message: string,
    parameter?: string,
    cause?: unknown,
  ): E {
    return new Kind(message, { file: this.file, dataset: this.requested, parameter }, cause === undefined ? undefined : { cause });
  }
}

function scalarArray(dtype: DType, value: number | bigint): NumericArray {
  const Type = arrayType(dtype) ?? Float64Array;
  return Type.from([value]);
}
