/**
 * h5grove's `/data/`: a selection of a dataset read by the analysis library (only the chunks the
 * selection touches; filters such as bitshuffle-LZ4 decoded server-side; Eiger data files reached
 * through the master's external links), encoded as raw bytes (`format=bin`), JSON or .npy.
 */
import type { H5Dataset } from "../../analysis/hdf5/dataset.ts";
import { arrayType } from "../../analysis/hdf5/dtype.ts";
import type { NumericArray } from "../../analysis/hdf5/types.ts";
import { ParameterError } from "../../analysis/errors.ts";
import type { Metadata } from "h5wasm/node";
import { H5T } from "./types.ts";
import type { ResolvedSelection } from "./selection.ts";

/** Every step-th element of each dimension of `data` (C order, shape `box`). */
export function thin(data: NumericArray, box: number[], steps: number[]): NumericArray {
  if (steps.every((s) => s === 1)) return data;
  const shape = box.map((n, d) => Math.ceil(n / steps[d]!));
  const strides = box.map((_, d) => box.slice(d + 1).reduce((a, b) => a * b, 1) * steps[d]!);
  const Type = data.constructor as new (length: number) => NumericArray;
  const out = new Type(shape.reduce((a, b) => a * b, 1));
  const index = shape.map(() => 0);
  for (let i = 0; i < out.length; i++) {
    let offset = 0;
    for (let d = 0; d < shape.length; d++) offset += index[d]! * strides[d]!;
    out[i] = data[offset]!;
    for (let d = shape.length - 1; d >= 0 && ++index[d]! === shape[d]!; d--) index[d] = 0;
  }
  return out;
}

/** Shape of the box a selection reads (indexed dimensions dropped). */
function boxShape(selection: ResolvedSelection): number[] {
  return selection.box.flatMap((s) => (Array.isArray(s) ? [s[1] - s[0]] : []));
}

/** The selected values, in the dataset's type as a typed array of this machine's (little-endian) order. */
export function readSelection(dataset: H5Dataset, selection: ResolvedSelection): NumericArray {
  const box = boxShape(selection);
  // numpy gives an empty array for an empty slice; HDF5 cannot read nothing.
  if (box.some((n) => n === 0)) return (arrayType(dataset.dtype) ?? Float64Array).from([]);
  return thin(dataset.read(selection.box).data, box, selection.steps);
}

/**
 * What JSON costs per value while it is made: a short string and its place in an array, in V8
 * (toJson), whatever the element's own size.
 */
const JSON_BYTES_PER_VALUE = 32;

/** Bytes a request for `selection` of `dataset` makes the server decode and hold: chunks touched, or the JSON text made of them. */
export function readCost(dataset: H5Dataset, selection: ResolvedSelection, format: "json" | "bin" | "npy"): number {
  if (boxShape(selection).some((n) => n === 0)) return 0;
  const decoded = dataset.readBytes(selection.box);
  const values = selection.shape.reduce((a, b) => a * b, 1);
  return format === "json" ? Math.max(decoded, values * JSON_BYTES_PER_VALUE) : decoded;
}

type RawDataset = { slice(ranges: [number, number][]): unknown; readonly value: unknown; metadata: Metadata };

/**
 * The selected values of an enum dataset (h5py's bool is one) as integers of its base type, which
 * H5Web asks for as it does for numbers; read by h5wasm, since the analysis library reads numbers only.
 */
export function readEnumSelection(dataset: RawDataset, shape: number[], selection: ResolvedSelection): NumericArray {
  const { metadata } = dataset;
  const Type = arrayType({ kind: metadata.signed ? "int" : "uint", bytes: metadata.size, littleEndian: true, numpy: "" });
  if (metadata.type !== H5T.ENUM || !Type) throw new ParameterError(`only numeric and enum datasets are served as binary or by selection`);
  const box = boxShape(selection);
  if (box.some((n) => n === 0)) return Type.from([]);
  const ranges = shape.map((size, dim): [number, number] => {
    const s = selection.box[dim];
    return typeof s === "number" ? [s, s + 1] : (s ?? [0, size]);
  });
  const values = shape.length === 0 ? dataset.value : dataset.slice(ranges);
  const data = typeof values === "number" || typeof values === "bigint" ? Type.from([values]) : Type.from(values as ArrayLike<number | bigint>);
  return thin(data, box, selection.steps);
}

/** Bytes of `data` in little-endian order, or big-endian for `dtype=origin` of a big-endian dataset. */
export function toBytes(data: NumericArray, bigEndian: boolean): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!bigEndian || data.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = Buffer.from(bytes);
  if (data.BYTES_PER_ELEMENT === 2) swapped.swap16();
  else if (data.BYTES_PER_ELEMENT === 4) swapped.swap32();
  else swapped.swap64();
  return swapped;
}

/** JSON text of `data` with shape `shape` (nested arrays; `flatten` gives one array). NaN and ±∞ as null, as orjson writes them. */
export function toJson(data: NumericArray, shape: number[], flatten: boolean): string {
  const item = (v: number | bigint) => (typeof v === "bigint" ? v.toString() : Number.isFinite(v) ? String(v) : "null");
  const values = Array.from(data as ArrayLike<number | bigint>, item);
  if (shape.length === 0) return values[0] ?? "null";
  if (flatten) return `[${values.join(",")}]`;
  const nest = (dim: number, offset: number): string => {
    const size = shape[dim]!;
    if (dim === shape.length - 1) return `[${values.slice(offset, offset + size).join(",")}]`;
    const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return `[${Array.from({ length: size }, (_, i) => nest(dim + 1, offset + i * inner)).join(",")}]`;
  };
  return nest(0, 0);
}

/** numpy's type strings for the arrays values are read into (little-endian, as read). */
const NPY_DESCR: Record<string, string> = {
  Int8Array: "|i1",
  Uint8Array: "|u1",
  Int16Array: "<i2",
  Uint16Array: "<u2",
  Int32Array: "<i4",
  Uint32Array: "<u4",
  BigInt64Array: "<i8",
  BigUint64Array: "<u8",
  Float32Array: "<f4",
  Float64Array: "<f8",
};

/**
 * An .npy file (numpy's format 1.0: magic, little-endian header length, a Python dict literal padded
 * to 64 bytes, then the C-order data), as h5grove's `format=npy` export. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export function toNpy(data: NumericArray, shape: number[]): Buffer {
  const descr = NPY_DESCR[data.constructor.name];
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${" ".repeat((64 - (unpadded % 64)) % 64)}\n`;
  const preamble = Buffer.alloc(10);
  preamble.write("\x93NUMPY", 0, "latin1");
  preamble.writeUInt8(1, 6);
  preamble.writeUInt8(0, 7);
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, "latin1"), toBytes(data, false)]);
}
