/**
 * The h5grove wire format (what @h5web/app's H5GroveProvider parses, its `h5grove/models.ts`):
 * entities by `kind`, and HDF5 types as `{class, size, …}` with H5T constants, made from h5wasm's
 * type metadata.
 */
import type { Metadata } from "h5wasm/node";

// H5T_class_t (H5Tpublic.h).
export const H5T = { INTEGER: 0, FLOAT: 1, TIME: 2, STRING: 3, BITFIELD: 4, OPAQUE: 5, COMPOUND: 6, REFERENCE: 7, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;
// H5T_order_t and H5T_sign_t.
const ORDER_LE = 0;
const ORDER_BE = 1;
const SIGN_NONE = 0;
const SIGN_2 = 1;
const VLEN_POINTER_SIZE = 8;

export type GroveType =
  | { class: 0; size: number; order: number; sign: number; dtype: string }
  | { class: 1; size: number; order: number; dtype: string }
  /** `strPad` as H5Web reads it. */
  | { class: 3; size: number; cset: number; strPad: number; vlen: boolean; dtype: string }
  | { class: 6; size: number; members: Record<string, GroveType>; dtype: string }
  | { class: 8; size: number; members: Record<string, number>; base: GroveType; dtype: string }
  | { class: 9; size: number; base: GroveType; dtype: string }
  | { class: 10; size: number; dims: number[]; base: GroveType; dtype: string }
  | { class: 2 | 4 | 5 | 7; size: number; dtype: string };

export interface GroveAttribute {
  name: string;
  shape: number[] | null;
  type: GroveType;
}

export interface GroveFilter {
  id: number;
  name: string;
}

export type GroveEntity =
  | { kind: "group"; name: string; attributes: GroveAttribute[]; children?: GroveEntity[] }
  | {
      kind: "dataset";
      name: string;
      attributes: GroveAttribute[];
      shape: number[] | null;
      type: GroveType;
      chunks: number[] | null;
      filters: GroveFilter[] | null;
    }
  | { kind: "datatype"; name: string; attributes: GroveAttribute[]; type: GroveType }
  | { kind: "soft_link"; name: string; target_path: string }
  | { kind: "external_link"; name: string; target_file: string; target_path: string };

/** numpy's type string, as h5grove's `dtype` field (`<u4`, `|i1`, `|S8`, `|O`). */
function numpyDtype(m: Metadata): string {
  const order = m.size === 1 ? "|" : m.littleEndian ? "<" : ">";
  switch (m.type) {
    case H5T.INTEGER:
      return `${order}${m.signed ? "i" : "u"}${m.size}`;
    case H5T.FLOAT:
      return `${order}f${m.size}`;
    case H5T.STRING:
      return m.vlen ? "|O" : `|S${m.size}`;
    case H5T.ENUM:
      return numpyDtype({ ...m, type: m.enum_type?.type ?? H5T.INTEGER });
    default:
      return `|V${m.size}`;
  }
}

export function groveType(m: Metadata): GroveType {
  const dtype = numpyDtype(m);
  const order = m.littleEndian ? ORDER_LE : ORDER_BE;
  switch (m.type) {
    case H5T.INTEGER:
      return { class: H5T.INTEGER, size: m.size, order, sign: m.signed ? SIGN_2 : SIGN_NONE, dtype };
    case H5T.FLOAT:
      return { class: H5T.FLOAT, size: m.size, order, dtype };
    case H5T.STRING:
      // A variable-length string's size is its in-memory pointer's: 4 in 32-bit WebAssembly, 8 where
      // h5py and h5grove run (64-bit); report the latter, as clients of h5grove see.
      return { class: H5T.STRING, size: m.vlen ? VLEN_POINTER_SIZE : m.size, cset: m.cset ?? 0, strPad: m.strpad ?? 0, vlen: m.vlen, dtype };
    case H5T.COMPOUND:
      return {
        class: H5T.COMPOUND,
        size: m.size,
        members: Object.fromEntries((m.compound_type?.members ?? []).map((member) => [member.name, groveType(member)])),
        dtype,
      };
    case H5T.ENUM: {
      const base = groveType({ ...m, type: m.enum_type?.type ?? H5T.INTEGER, enum_type: undefined });
      return { class: H5T.ENUM, size: m.size, members: m.enum_type?.members ?? {}, base, dtype };
    }
    case H5T.VLEN:
      return m.vlen_type ? { class: H5T.VLEN, size: m.size, base: groveType(m.vlen_type), dtype } : { class: H5T.OPAQUE, size: m.size, dtype };
    case H5T.ARRAY:
      return m.array_type
        ? { class: H5T.ARRAY, size: m.size, dims: m.array_type.shape ?? [], base: groveType(m.array_type), dtype }
        : { class: H5T.OPAQUE, size: m.size, dtype };
    case H5T.TIME:
    case H5T.BITFIELD:
    case H5T.OPAQUE:
    case H5T.REFERENCE:
      return { class: m.type, size: m.size, dtype };
    default:
      return { class: H5T.OPAQUE, size: m.size, dtype };
  }
}
