/**
 * Decoding of bitshuffle-LZ4 chunks (HDF5 filter 32008 with LZ4, what Eiger detectors write)
 * straight into the caller's array. The chunk: the decoded size (8 bytes, big-endian), the block
 * size in bytes (4, big-endian), then per block a big-endian 4-byte compressed length and an LZ4
 * block, which decodes to the block's bit planes; a last block of fewer elements (a multiple of 8)
 * and fewer than 8 elements stored as they are close it.
 *
 * Hand-written: the npm LZ4 libraries decode raw blocks either into a new Buffer per call with
 * their own size prefix (lz4-napi) or byte by byte (lz4js), and none does the bit transpose; an
 * Eiger 4M frame is ~2200 blocks. Zero runs, what low-count frames mostly are after the shuffle,
 * decode here as one fill.
 */
import { UNSHUFFLE_WASM } from "./unshuffle-wasm.ts";

/** Decodes a whole chunk into `out` (its decoded bytes, `elementBytes` per element); throws on a damaged chunk. */
export function decodeBitshuffleLz4(chunk: Uint8Array, elementBytes: number, out: Uint8Array): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk.length < 12) throw new Error("bitshuffle chunk shorter than its header");
  const total = Number(view.getBigUint64(0));
  const blockBytes = view.getUint32(8);
  const blockElements = blockBytes / elementBytes;
  if (total !== out.length) throw new Error(`bitshuffle chunk holds ${total} bytes, expected ${out.length}`);
  if (!Number.isInteger(blockElements) || blockElements === 0 || blockElements % 8 !== 0) throw new Error(`bad bitshuffle block size ${blockBytes}`);
  const elements = total / elementBytes;
  const simd = elementBytes === 4 ? wasmBlocks(blockBytes) : undefined;
  const planes = simd?.planes ?? scratch(blockBytes);
  let s = 12;
  let at = 0;
  for (let done = 0; done + 8 <= elements;) {
    const n = Math.min(blockElements, elements - done - ((elements - done) % 8));
    const bytes = n * elementBytes;
    const length = view.getUint32(s);
    s += 4;
    if (s + length > chunk.length) throw new Error("bitshuffle block beyond the chunk");
    if (lz4Block(chunk, s, s + length, planes, bytes) !== bytes) throw new Error("LZ4 block decodes short");
    s += length;
    if (simd && n % 128 === 0) {
      simd.unshuffle32(0, n / 8, simd.at);
      out.set(simd.elements.subarray(0, bytes), at);
    } else unshuffle(planes, n, elementBytes, out, at);
    at += bytes;
    done += n;
  }
  const tail = out.length - at;
  if (s + tail !== chunk.length) throw new Error("bitshuffle chunk has the wrong length");
  out.set(chunk.subarray(s, s + tail), at);
}

let planesBuffer = new Uint8Array(0);
let wasm: { instance: WebAssembly.Instance; planes: Uint8Array; elements: Uint8Array } | undefined;

/**
 * The WebAssembly unshuffle (bin/unshuffle-wasm.ts) with room for a block's planes at 0 and its
 * elements after them, and views of both (planes: where the LZ4 blocks decode to).
 */
function wasmBlocks(blockBytes: number): {
  planes: Uint8Array;
  elements: Uint8Array;
  at: number;
  unshuffle32: (planes: number, row: number, out: number) => void;
} {
  wasm ??= { instance: new WebAssembly.Instance(new WebAssembly.Module(UNSHUFFLE_WASM)), planes: new Uint8Array(0), elements: new Uint8Array(0) };
  const memory = wasm.instance.exports.memory as WebAssembly.Memory;
  const at = Math.ceil(blockBytes / 16) * 16;
  if (memory.buffer.byteLength < 2 * at) memory.grow(Math.ceil((2 * at - memory.buffer.byteLength) / 65536));
  if (wasm.planes.buffer !== memory.buffer || wasm.planes.length !== blockBytes) {
    wasm.planes = new Uint8Array(memory.buffer, 0, blockBytes);
    wasm.elements = new Uint8Array(memory.buffer, at, blockBytes);
  }
  return {
    planes: wasm.planes,
    elements: wasm.elements,
    at,
    unshuffle32: wasm.instance.exports.unshuffle32 as (planes: number, row: number, out: number) => void,
  };
}

/** A reused buffer for one block's bit planes (8 KiB by default: stays in the L1 cache). */
function scratch(bytes: number): Uint8Array {
  if (planesBuffer.length < bytes) planesBuffer = new Uint8Array(bytes);
  return planesBuffer;
}

/** Decodes the LZ4 block src[s, end) into dst[0, limit); returns the decoded length. */
export function lz4Block(src: Uint8Array, s: number, end: number, dst: Uint8Array, limit: number): number {
  let d = 0;
  while (s < end) {
    const token = src[s++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b;
      do literals += b = src[s++]!;
      while (b === 255 && s < end);
    }
    if (s + literals > end || d + literals > limit) throw new Error("LZ4 literals beyond the block");
    if (literals < 16) for (let i = 0; i < literals; i++) dst[d++] = src[s++]!;
    else {
      dst.set(src.subarray(s, s + literals), d);
      s += literals;
      d += literals;
    }
    if (s >= end) break; // the last sequence has literals only
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    let length = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b;
      do length += b = src[s++]!;
      while (b === 255 && s < end);
    }
    if (offset === 0 || offset > d || d + length > limit) throw new Error("LZ4 match outside the block");
    let m = d - offset;
    if (length < 32) for (let i = 0; i < length; i++) dst[d++] = dst[m++]!;
    else if (offset === 1) {
      dst.fill(dst[m]!, d, d + length);
      d += length;
    } else {
      // The match repeats the last `offset` bytes: copies of what is already there, each up to twice as long as the last.
      for (let left = length; left > 0;) {
        const step = Math.min(left, d - m);
        dst.copyWithin(d, m, m + step);
        d += step;
        left -= step;
      }
    }
  }
  return d;
}

/**
 * Bit planes of `n` elements (plane p: bit p of each element, element i at bit i % 8 of byte i / 8)
 * to the elements, written to out[at, at + n * elementBytes), one byte of 8 elements at a time.
 * Blocks of 4-byte elements (but a short last one) go to the WebAssembly SIMD version instead.
 */
function unshuffle(planes: Uint8Array, n: number, elementBytes: number, out: Uint8Array, at: number): void {
  const row = n / 8;
  for (let g = 0; g < row; g++) {
    for (let b = 0; b < elementBytes; b++) {
      const p = 8 * b * row + g;
      let lo = planes[p]! | (planes[p + row]! << 8) | (planes[p + 2 * row]! << 16) | (planes[p + 3 * row]! << 24);
      let hi = planes[p + 4 * row]! | (planes[p + 5 * row]! << 8) | (planes[p + 6 * row]! << 16) | (planes[p + 7 * row]! << 24);
      // 8 × 8 bit transpose of the 64-bit word hi:lo (byte = plane, bit = element) in 32-bit halves.
      let t = (lo ^ (lo >>> 7)) & 0x00aa00aa;
      lo ^= t ^ (t << 7);
      t = (hi ^ (hi >>> 7)) & 0x00aa00aa;
      hi ^= t ^ (t << 7);
      t = (lo ^ (lo >>> 14)) & 0x0000cccc;
      lo ^= t ^ (t << 14);
      t = (hi ^ (hi >>> 14)) & 0x0000cccc;
      hi ^= t ^ (t << 14);
      t = (lo ^ (hi << 4)) & 0xf0f0f0f0;
      lo ^= t;
      hi ^= t >>> 4;
      const o = at + 8 * g * elementBytes + b;
      for (let e = 0; e < 4; e++) out[o + e * elementBytes] = lo >>> (8 * e);
      for (let e = 0; e < 4; e++) out[o + (e + 4) * elementBytes] = hi >>> (8 * e);
    }
  }
}
