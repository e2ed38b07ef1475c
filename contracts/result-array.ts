import { z } from "./zod.ts";

/**
 * Typed-array results on the wire: lists of equally long typed arrays (an integrated pattern per
 * frame) travel and are stored as raw bytes with dtype and shape. Shared by the queue (which stores
 * them), the server (which serves them) and the kernel (which turns them back into typed arrays).
 */
export type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

export const DTYPES = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
} as const;
export type Dtype = keyof typeof DTYPES;

export function isDtype(name: string): name is Dtype {
  return Object.hasOwn(DTYPES, name);
}

export function dtypeOf(x: unknown): Dtype | undefined {
  for (const [name, ctor] of Object.entries(DTYPES)) if (x instanceof ctor) return name as Dtype;
  return undefined;
}

export class ResultIntegrityError extends Error {}

/** Rows of a [rows, cols] array as typed arrays: views on one aligned copy of the bytes. */
export function typedRows(bytes: Uint8Array, dtype: Dtype, shape: number[]): TypedArray[] {
  const ctor = DTYPES[dtype];
  const copy = new Uint8Array(bytes);
  const all = new ctor(copy.buffer, 0, copy.byteLength / ctor.BYTES_PER_ELEMENT);
  const [rows = 0, cols = 0] = shape;
  return Array.from({ length: rows }, (_, i) => all.subarray(i * cols, (i + 1) * cols));
}

/**
 * How a typed-array result travels to cells (GET …/results?binary=1): its bytes in base64 with
 * dtype and shape. JSON numbers cost far more to print and parse than the bytes (a float64 is
 * about 19 characters of JSON and 10.7 of base64), and the cell gets the typed arrays back.
 */
export const arrayEnvelope = z.object({
  dtype: z.enum(Object.keys(DTYPES) as [Dtype, ...Dtype[]]),
  shape: z.array(z.number().int().min(0)),
  base64: z.string(),
});
export type ArrayEnvelope = z.infer<typeof arrayEnvelope>;

/** A result's items as the cell gets them: one typed array per row of an envelope, else the JSON items. */
export function itemsOf(r: { value: unknown; array?: ArrayEnvelope }): unknown[] {
  if (r.array) {
    if (!isDtype(r.array.dtype)) throw new ResultIntegrityError(`unknown dtype ${r.array.dtype}`);
    return typedRows(Buffer.from(r.array.base64, "base64"), r.array.dtype, r.array.shape);
  }
  return Array.isArray(r.value) ? r.value : [r.value];
}
