import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StoredResult } from "./sql/finish-task.ts";
import type { ResultRow } from "./sql/results.ts";
import { dtypeOf, isDtype, ResultIntegrityError, typedRows, type ArrayEnvelope, type Dtype, type TypedArray } from "../contracts/result-array.ts";

export { ResultIntegrityError };

/**
 * A partition's result is the list of its items' results. Lists of equally long typed arrays (an
 * integrated pattern per frame) are stored as their raw bytes with dtype and shape, in the row or,
 * past `fileThreshold` bytes and with a results root, as a file under it; the sha256 of the bytes
 * is kept either way. Anything else is JSON.
 */
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

/** A result as read back (a result row, or what encodeResult made). */
export type StoredRow = Pick<ResultRow, "value" | "bytes" | "dtype" | "shape" | "path" | "sha256">;

/** A typed-array result's bytes (from its row or its file) and dtype, checked against their sha256; null for a JSON result. */
async function storedBytes(r: StoredRow, resultsRoot: string | undefined): Promise<{ bytes: Buffer; dtype: Dtype } | null> {
  if (r.dtype === null) return null;
  let bytes = r.bytes;
  if (!bytes && r.path) {
    if (!resultsRoot) throw new ResultIntegrityError(`result stored in ${r.path}, but no results root is configured`);
    bytes = await readFile(path.join(resultsRoot, r.path));
  }
  if (!isDtype(r.dtype)) throw new ResultIntegrityError(`unknown dtype ${r.dtype}`);
  if (!bytes) return { bytes: Buffer.alloc(0), dtype: r.dtype };
  if (r.sha256 && createHash("sha256").update(bytes).digest("hex") !== r.sha256)
    throw new ResultIntegrityError(`result bytes do not match their sha256 (${r.path ?? "row"})`);
  return { bytes, dtype: r.dtype };
}

/** The stored items back as JSON values: typed-array rows as number arrays, checked against their sha256. */
export async function decodeResult(r: StoredRow, resultsRoot?: string): Promise<unknown[]> {
  const stored = await storedBytes(r, resultsRoot);
  if (stored === null) return Array.isArray(r.value) ? r.value : [r.value];
  return typedRows(stored.bytes, stored.dtype, r.shape ?? []).map((row) => Array.from(row));
}

/** A stored result for the wire: JSON items, or (`binary`) the envelope of its bytes. */
export async function resultForWire(r: StoredRow, resultsRoot: string | undefined, binary: boolean): Promise<{ value: unknown; array?: ArrayEnvelope }> {
  const stored = binary ? await storedBytes(r, resultsRoot) : null;
  if (stored === null) return { value: await decodeResult(r, resultsRoot) };
  return { value: null, array: { dtype: stored.dtype, shape: r.shape ?? [], base64: stored.bytes.toString("base64") } };
}
