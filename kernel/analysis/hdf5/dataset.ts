/** One dataset: its layout, and reads of a frame, a range of frames or a region of interest. */
import { Hdf5Error, MissingFilterError, ParameterError } from "../errors.ts";
import { readAttrs } from "./attrs.ts";
import { dtypeOf, isNumeric } from "./dtype.ts";
import { hdf5Reason } from "./hdf5-reason.ts";
import { availableFiltersNow, FILTER_NAMES, type h5wasm } from "./module.ts";
import type { Attrs, DType, FilterInfo, FrameSource, NdArray, NumericArray, Roi } from "./types.ts";

type RawDataset = InstanceType<typeof h5wasm.Dataset>;

/** Per dimension: one index (the dimension is dropped), a half-open [start, end) range, or null for all. */
export type Selection = (number | [number, number] | null)[];

export class H5Dataset implements FrameSource {
  readonly shape: number[];
  readonly dtype: DType;
  /** Chunk shape, or null for contiguous/compact storage. */
  readonly chunks: number[] | null;
  readonly filters: FilterInfo[];
  readonly #raw: RawDataset;

  /** @internal use `H5File.dataset`. */
  constructor(
    raw: RawDataset,
    /** File that holds the data (the data file, for a dataset reached through an external link). */
    readonly file: string,
    /** Path in that file. */
    readonly path: string,
    /** Path as the user asked for it, for messages. */
    readonly requested: string,
  ) {
    this.#raw = raw;
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

  /** Frame `index` of a 3D dataset (or the image of a 2D one, index 0), shape [rows, columns]. */
  frame(index: number): NdArray {
    return this.shape.length === 2 && index === 0 ? this.read([null, null]) : this.read([this.#frameIndex(index, "index"), null, null]);
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

  /** A selection in numpy terms; see {@link Selection}. */
  read(selection: Selection): NdArray {
    if (!isNumeric(this.dtype)) throw this.#error(ParameterError, `reading ${this.dtype.kind} datasets as arrays is not supported; use attrs() or h5wasm directly`);
    if (selection.length > this.shape.length) throw this.#error(ParameterError, `selection has ${selection.length} dimensions, the dataset ${this.shape.length}`, "selection");
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
    this.#checkFilters();
    let data;
    try {
      data = this.shape.length === 0 ? this.#raw.value : this.#raw.slice(ranges);
    } catch (e) {
      throw this.#error(Hdf5Error, `read failed: ${hdf5Reason(e)}`, undefined, e);
    }
    // h5wasm returns scalars as plain numbers; keep the element type.
    if (typeof data === "number" || typeof data === "bigint") return { data: scalarArray(this.dtype, data), shape };
    if (!ArrayBuffer.isView(data)) throw this.#error(Hdf5Error, "h5wasm returned no array");
    return { data: data as NumericArray, shape };
  }

  #frameIndex(index: number, parameter: string): number {
    if (this.shape.length !== 3) throw this.#error(ParameterError, `frames are the first dimension of a 3D dataset; this one has shape [${this.shape.join(", ")}]`, parameter);
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

const ARRAY_TYPES: Record<string, { from(values: ArrayLike<number | bigint>): NumericArray }> = {
  int1: Int8Array,
  uint1: Uint8Array,
  int2: Int16Array,
  uint2: Uint16Array,
  int4: Int32Array,
  uint4: Uint32Array,
  int8: BigInt64Array,
  uint8: BigUint64Array,
  float4: Float32Array,
  float8: Float64Array,
};

function scalarArray(dtype: DType, value: number | bigint): NumericArray {
  const Type = ARRAY_TYPES[`${dtype.kind}${dtype.bytes}`] ?? Float64Array;
  return Type.from([value]);
}
