/** Element types from h5wasm metadata, spelled as numpy does so they compare with h5py. */
import type { Metadata } from "h5wasm/node";
import type { DType, NumericArray } from "./types.ts";

// H5T_class_t values (H5Tpublic.h).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;

export function dtypeOf(metadata: Metadata): DType {
  // numpy writes "|" for types whose byte order does not matter (one byte).
  const order = metadata.size === 1 ? "|" : metadata.littleEndian ? "<" : ">";
  const bytes = metadata.size;
  switch (metadata.type) {
    case H5T_INTEGER:
      return { kind: metadata.signed ? "int" : "uint", bytes, littleEndian: metadata.littleEndian, numpy: `${order}${metadata.signed ? "i" : "u"}${bytes}` };
    case H5T_FLOAT:
      return { kind: "float", bytes, littleEndian: metadata.littleEndian, numpy: `${order}f${bytes}` };
    case H5T_STRING:
      return { kind: "string", bytes, littleEndian: true, numpy: metadata.vlen ? "O" : `S${bytes}` };
    case H5T_COMPOUND:
      return { kind: "compound", bytes, littleEndian: metadata.littleEndian, numpy: "V" + bytes };
    default:
      return { kind: "other", bytes, littleEndian: metadata.littleEndian, numpy: "V" + bytes };
  }
}

export function isNumeric(dtype: DType): boolean {
  return dtype.kind === "int" || dtype.kind === "uint" || dtype.kind === "float";
}

/** A typed array class for a numeric dtype: made over bytes read, or from values. */
export interface NumericArrayType {
  new (buffer: ArrayBuffer): NumericArray;
  from(values: ArrayLike<number | bigint>): NumericArray;
}

const ARRAY_TYPES: Record<string, NumericArrayType> = {
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

/** The typed array h5wasm returns for `dtype` (64-bit integers as BigInt arrays); undefined for other types. */
export function arrayType(dtype: DType): NumericArrayType | undefined {
  return ARRAY_TYPES[`${dtype.kind}${dtype.bytes}`];
}
