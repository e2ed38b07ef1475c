import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StoredResult } from "./sql/finish-task.ts";
import type { ResultRow } from "./sql/results.ts";

/**
 * A partition's result is the list of its items' results. Lists of equally long typed arrays (an
 * integrated pattern per frame) are stored as their raw bytes with dtype and shape, in the row or,
 * past `fileThreshold` bytes and with a results root, as a file under it; the sha256 of the bytes
 * is kept either way. Anything else is JSON.
 */
type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

const DTYPES = {
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

function dtypeOf(x: unknown): Dtype | undefined {
  for (const [name, ctor] of Object.entries(DTYPES)) if (x instanceof ctor) return name as Dtype;
  return undefined;
}

/** JSON for anything: typed arrays become plain arrays, non-finite numbers null (as JSON.stringify does). */
export function toJson(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(toJson);
  if (x && typeof x === "object" && !(x instanceof Date)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, toJson(v)]));
  return x;
}

export interface EncodeOptions {
  resultsRoot?: string;
  fileThreshold?: number;
  /** Names the file: runs/<run>/<partition>.bin */
  runId: string;
  partition: number;
}

export async function encodeResult(items: unknown[], opts: EncodeOptions): Promise<StoredResult> {
  const dtype = dtypeOf(items[0]);
  const len = (items[0] as TypedArray | undefined)?.length;
  if (dtype && items.every((x) => dtypeOf(x) === dtype && (x as TypedArray).length === len)) {
    const parts = items.map((x) => {
      const a = x as TypedArray;
      return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    });
    const bytes = Buffer.concat(parts);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const shape = [items.length, len!];
    if (opts.resultsRoot && bytes.length > (opts.fileThreshold ?? 1 << 20)) {
      const rel = path.join("runs", opts.runId, `${opts.partition}.bin`);
      const full = path.join(opts.resultsRoot, rel);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, bytes);
      return { value: null, bytes: null, dtype, shape, path: rel, sha256, size: bytes.length };
    }
    return { value: null, bytes, dtype, shape, path: null, sha256, size: bytes.length };
  }
  const json = JSON.stringify(toJson(items));
  return { value: JSON.parse(json) as unknown, bytes: null, dtype: null, shape: [], path: null, sha256: null, size: Buffer.byteLength(json) };
}

export class ResultIntegrityError extends Error {}

/** A result as read back (a result row, or what encodeResult made). */
export type StoredRow = Pick<ResultRow, "value" | "bytes" | "dtype" | "shape" | "path" | "sha256">;

/** A typed-array result's bytes (from its row or its file), checked against their sha256; null for a JSON result. */
async function storedBytes(r: StoredRow, resultsRoot: string | undefined): Promise<Buffer | null> {
  if (r.dtype === null) return null;
  let bytes = r.bytes;
  if (!bytes && r.path) {
    if (!resultsRoot) throw new ResultIntegrityError(`result stored in ${r.path}, but no results root is configured`);
    bytes = await readFile(path.join(resultsRoot, r.path));
  }
  if (!bytes) return Buffer.alloc(0);
  if (r.sha256 && createHash("sha256").update(bytes).digest("hex") !== r.sha256) throw new ResultIntegrityError(`result bytes do not match their sha256 (${r.path ?? "row"})`);
  if (!(r.dtype in DTYPES)) throw new ResultIntegrityError(`unknown dtype ${r.dtype}`);
  return bytes;
}

/** Rows of a [rows, cols] array as typed arrays: views on one aligned copy of the bytes. */
function typedRows(bytes: Uint8Array, dtype: Dtype, shape: number[]): TypedArray[] {
  const ctor = DTYPES[dtype];
  const copy = new Uint8Array(bytes);
  const all = new ctor(copy.buffer, 0, copy.byteLength / ctor.BYTES_PER_ELEMENT);
  const [rows = 0, cols = 0] = shape;
  return Array.from({ length: rows }, (_, i) => all.subarray(i * cols, (i + 1) * cols));
}

/** The stored items back as JSON values: typed-array rows as number arrays, checked against their sha256. */
export async function decodeResult(r: StoredRow, resultsRoot?: string): Promise<unknown[]> {
  const bytes = await storedBytes(r, resultsRoot);
  if (bytes === null) return Array.isArray(r.value) ? r.value : [r.value];
  return typedRows(bytes, r.dtype as Dtype, r.shape ?? []).map((row) => Array.from(row));
}

/**
 * How a typed-array result travels to cells (GET …/results?binary=1): its bytes in base64 with
 * dtype and shape. JSON numbers cost far more to print and parse than the bytes (a float64 is
 * about 19 characters of JSON and 10.7 of base64), and the cell gets the typed arrays back.
 */
export interface ArrayEnvelope {
  dtype: Dtype;
  shape: number[];
  base64: string;
}

/** A stored result for the wire: JSON items, or (`binary`) the envelope of its bytes. */
export async function resultForWire(r: StoredRow, resultsRoot: string | undefined, binary: boolean): Promise<{ value: unknown; array?: ArrayEnvelope }> {
  if (!binary || r.dtype === null) return { value: await decodeResult(r, resultsRoot) };
  const bytes = (await storedBytes(r, resultsRoot))!;
  return { value: null, array: { dtype: r.dtype as Dtype, shape: r.shape ?? [], base64: bytes.toString("base64") } };
}

/** A result's items as the cell gets them: one typed array per row of an envelope, else the JSON items. */
export function itemsOf(r: { value: unknown; array?: ArrayEnvelope }): unknown[] {
  if (r.array) {
    if (!(r.array.dtype in DTYPES)) throw new ResultIntegrityError(`unknown dtype ${r.array.dtype}`);
    return typedRows(Buffer.from(r.array.base64, "base64"), r.array.dtype, r.array.shape);
  }
  return Array.isArray(r.value) ? r.value : [r.value];
}
