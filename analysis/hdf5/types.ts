/** Shapes of what the HDF5 reader returns: plain data, so results print and serialize well in cells. */

/** The typed arrays datasets are read into (64-bit integers come as BigInt arrays). */
export type NumericArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** A dataset's element type, with numpy's spelling (`<u4`, `>f8`) for comparison with h5py. */
export interface DType {
  kind: "int" | "uint" | "float" | "string" | "compound" | "other";
  /** Bytes per element. */
  bytes: number;
  littleEndian: boolean;
  numpy: string;
}

/** One filter of a chunked dataset's pipeline. */
export interface FilterInfo {
  id: number;
  /** gzip, lz4, bitshuffle, blosc, zstd, … or the name HDF5 reports for others. */
  name: string;
  cdValues: number[];
}

/** Attributes as JSON-compatible values. */
export type Attrs = Record<string, unknown>;

/** An entry of a file's tree; `kind` tells which. Paths are absolute inside the file. */
export type H5Node =
  | { kind: "group"; path: string; attrs: Attrs }
  | { kind: "dataset"; path: string; shape: number[]; dtype: DType; chunks: number[] | null; filters: FilterInfo[]; attrs: Attrs }
  | { kind: "soft-link"; path: string; target: string; broken: boolean }
  /** A second name of an object listed earlier under `target` (HDF5 hard links are all names; the first one seen is the object). */
  | { kind: "hard-link"; path: string; target: string }
  /** A link into another file, e.g. an Eiger master's `/entry/data/data_000001`. `file` is as stored, relative to the linking file's folder. */
  | { kind: "external-link"; path: string; file: string; target: string }
  | { kind: "datatype"; path: string };

/** An n-dimensional block of values in C order. */
export interface NdArray<T extends NumericArray = NumericArray> {
  data: T;
  shape: number[];
}

/** A region of interest in a frame, in pixels: x is the column, y the row. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A stack of 2D frames read one at a time: a 3D dataset, or an Eiger master's data files in order. */
export interface FrameSource {
  /** Number of frames. */
  readonly length: number;
  /** [rows, columns] of one frame. */
  readonly frameShape: [number, number];
  readonly dtype: DType;
  /** Frame `index` (0-based), read from the file now; into `into` if given (the dtype's array, one frame long). */
  frame(index: number, into?: NumericArray): NdArray;
}
