/**
 * h5grove's `/data/`: a selection of a dataset read by the analysis library (only the chunks the
 * selection touches; filters such as bitshuffle-LZ4 decoded server-side; Eiger data files reached
 * through the master's external links), encoded as raw bytes (`format=bin`) or JSON.
 */
import type { H5Dataset } from "../../kernel/analysis/hdf5/dataset.ts";
import { arrayType } from "../../kernel/analysis/hdf5/dtype.ts";
import type { NumericArray } from "../../kernel/analysis/hdf5/types.ts";
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

/** The selected values, in the dataset's type as a typed array of this machine's (little-endian) order. */
export function readSelection(dataset: H5Dataset, selection: ResolvedSelection): NumericArray {
  const boxShape = selection.box.filter((s) => typeof s !== "number").map((s) => (s as [number, number])[1] - (s as [number, number])[0]);
  // numpy gives an empty array for an empty slice; HDF5 cannot read nothing.
  if (boxShape.some((n) => n === 0)) return (arrayType(dataset.dtype) ?? Float64Array).from([]);
  return thin(dataset.read(selection.box).data, boxShape, selection.steps);
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
