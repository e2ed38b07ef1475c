/** Element types from h5wasm metadata, spelled as numpy does so they compare with h5py. */
import type { Metadata } from "h5wasm/node";
import type { DType } from "./types.ts";

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
