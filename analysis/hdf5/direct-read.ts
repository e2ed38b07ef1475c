/**
 * Reads that skip h5wasm: contiguous data with one positioned read into the returned array, and
 * chunks of whole frames (unfiltered, gzip inflated by Node's zlib, or bitshuffle-LZ4 decoded by
 * bitshuffle-lz4.ts) read and decoded straight into it. h5wasm reads through its WebAssembly heap
 * and copies out, and decodes with C compiled to WebAssembly; these reads copy once from the page
 * cache. Anything else (other filters, partial frames of chunked data, unwritten chunks, byte
 * swapping) returns undefined and stays with h5wasm, which also reports the errors of damaged files.
 */
import zlib from "node:zlib";
import { decodeBitshuffleLz4 } from "./bitshuffle-lz4.ts";
import { arrayType } from "./dtype.ts";
import type { ChunkRef, Storage, StorageFile } from "./storage.ts";
import type { DType, FilterInfo, NumericArray } from "./types.ts";

const GZIP = 1;
const BITSHUFFLE = 32008;
/** bitshuffle's 5th filter parameter: the compression after the shuffle (2 = LZ4). */
const BITSHUFFLE_LZ4 = 2;

type Codec = "none" | "gzip" | "bitshuffle-lz4";

/** How chunks with this filter pipeline are decoded here, or undefined if they are not. */
function codecOf(filters: FilterInfo[], dtype: DType): Codec | undefined {
  if (filters.length === 0) return "none";
  const [only, ...more] = filters;
  if (more.length > 0) return undefined;
  if (only!.id === GZIP) return "gzip";
  // cd_values: format version (2), element size, block size, compression.
  if (only!.id === BITSHUFFLE && only!.cdValues[4] === BITSHUFFLE_LZ4 && only!.cdValues[2] === dtype.bytes) return "bitshuffle-lz4";
  return undefined;
}

/**
 * Whether reads of whole frames (for contiguous data, of any run of consecutive elements) of a
 * dataset with this storage, type and filters bypass h5wasm.
 */
export function directReadable(storage: Storage | null, shape: number[], dtype: DType, filters: FilterInfo[]): storage is Storage {
  if (!storage || !arrayType(dtype) || (!dtype.littleEndian && dtype.bytes > 1) || shape.length === 0) return false;
  if (storage.kind === "contiguous") return filters.length === 0;
  if (!codecOf(filters, dtype)) return false;
  return shape.every((size, d) => d === 0 || storage.chunks[d] === size);
}

/**
 * The elements of `ranges` (half-open, one per dimension) in C order, read without h5wasm, or
 * undefined when this layout, filter pipeline or selection is not one read here.
 */
export function directRead(
  file: StorageFile,
  storage: Storage | null,
  shape: number[],
  dtype: DType,
  filters: FilterInfo[],
  ranges: [number, number][],
  /** Where to put the elements (the dataset's array type, of their number); a new array if omitted. */
  into?: NumericArray,
): NumericArray | undefined {
  if (!directReadable(storage, shape, dtype, filters)) return undefined;
  const Type = arrayType(dtype)!;
  const count = ranges.map(([start, end]) => end - start);
  const bytes = count.reduce((a, b) => a * b, dtype.bytes);
  if (storage.kind === "contiguous") {
    if (!isBlock(ranges, shape)) return undefined;
    const fresh = into ? undefined : unfilled(bytes);
    file.readInto(
      storage.address +
        linear(
          ranges.map(([start]) => start),
          shape,
        ) *
          dtype.bytes,
      bytes,
      fresh ?? bytesOf(into!),
    );
    return fresh ? new Type(fresh.buffer) : into;
  }
  // Chunks hold whole frames (all dimensions but the first complete); so must the selection.
  if (count.some((n, d) => d > 0 && n !== shape[d])) return undefined;
  const codec = codecOf(filters, dtype)!;
  const { chunks } = storage;
  const frameBytes = shape.slice(1).reduce((a, b) => a * b, dtype.bytes);
  const chunkBytes = chunks[0]! * frameBytes;
  const [start, end] = ranges[0]!;
  const origin = new Array<number>(shape.length).fill(0);
  const pieces: { chunk: ChunkRef; from: number; to: number }[] = [];
  for (let first = start - (start % chunks[0]!); first < end; first += chunks[0]!) {
    origin[0] = first;
    const chunk = storage.chunkAt(origin);
    if (!chunk || chunk.filterMask !== 0 || (codec === "none" && chunk.size !== chunkBytes)) return undefined;
    pieces.push({ chunk, from: Math.max(start, first) - first, to: Math.min(end, first + chunks[0]!) - first });
  }
  const only = pieces.length === 1 ? pieces[0]! : undefined;
  if (codec === "gzip" && !into && only && only.from === 0 && only.to === chunks[0]) return new Type(inflate(file, only.chunk, chunkBytes));
  const fresh = into ? undefined : unfilled(bytes);
  const out = fresh ?? bytesOf(into!);
  let at = 0;
  for (const { chunk, from, to } of pieces) {
    const length = (to - from) * frameBytes;
    if (codec === "none") file.readInto(chunk.address + from * frameBytes, length, out, at);
    else if (codec === "gzip") out.set(new Uint8Array(inflate(file, chunk, chunkBytes), from * frameBytes, length), at);
    // A whole chunk decodes in place; part of one through a chunk-sized array.
    else if (length === chunkBytes) decodeBitshuffleLz4(file.read(chunk.address, chunk.size), dtype.bytes, out.subarray(at, at + length));
    else {
      const whole = unfilled(chunkBytes);
      decodeBitshuffleLz4(file.read(chunk.address, chunk.size), dtype.bytes, whole);
      out.set(whole.subarray(from * frameBytes, from * frameBytes + length), at);
    }
    at += length;
  }
  return fresh ? new Type(fresh.buffer) : into;
}

/** The bytes of a typed array. */
export function bytesOf(a: NumericArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A gzip chunk inflated, in an ArrayBuffer of exactly `chunkBytes`. */
function inflate(file: StorageFile, chunk: ChunkRef, chunkBytes: number): ArrayBuffer {
  // An output chunk of exactly the decoded size makes zlib write into one buffer that is returned
  // as it is (no concatenation); a larger output is an error rather than a longer chunk.
  const inflated = zlib.inflateSync(file.read(chunk.address, chunk.size), { chunkSize: Math.max(chunkBytes, 64), maxOutputLength: Math.max(chunkBytes, 1) });
  if (inflated.byteLength !== chunkBytes) throw new Error(`chunk inflated to ${inflated.byteLength} bytes, expected ${chunkBytes}`);
  return inflated.byteOffset === 0 && inflated.buffer.byteLength === chunkBytes
    ? inflated.buffer
    : inflated.buffer.slice(inflated.byteOffset, inflated.byteOffset + chunkBytes);
}

/**
 * Bytes for the caller to fill entirely, in an ArrayBuffer of their own: not zeroed first, which
 * would write every frame twice (allocations reuse freed memory, so calloc has to clear it).
 */
function unfilled(bytes: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer);
}

/** Whether the selection is one run of consecutive elements in C order: single indices, then one range, then whole dimensions. */
function isBlock(ranges: [number, number][], shape: number[]): boolean {
  let d = 0;
  while (d < ranges.length - 1 && ranges[d]![1] - ranges[d]![0] === 1) d++;
  for (let e = d + 1; e < ranges.length; e++) if (ranges[e]![0] !== 0 || ranges[e]![1] !== shape[e]) return false;
  return true;
}

/** Row-major element index of `index` in `shape`. */
function linear(index: number[], shape: number[]): number {
  let at = 0;
  for (const [d, size] of shape.entries()) at = at * size + index[d]!;
  return at;
}
