/**
 * Where a dataset's bytes are in its file: the address of contiguous data, or of each chunk with
 * its stored size and filter mask. Read from the HDF5 format itself (superblock, object header,
 * data layout message, chunk index) so that frames can be read with one positioned read each,
 * straight into the array returned, and gzip chunks inflated by Node's native zlib.
 *
 * Hand-written because no library gives these addresses here: h5wasm's build exports only its own
 * bindings (no H5Dget_offset, H5Dget_chunk_info or H5Dread_chunk), and jsfive, the one pure
 * JavaScript HDF5 reader, parses a whole file held in one ArrayBuffer. Only the common structures
 * are read (layout message v3/v4; chunk indexes: v1 B-tree, single chunk, implicit, unpaged fixed
 * array); for anything else `datasetStorage` returns null and reads stay with h5wasm.
 * Format reference: the HDF5 File Format Specification version 3.0.
 */
import fs from "node:fs";

/** A stored chunk: file address, bytes as stored (after filters), and filters skipped (bit i = filter i). */
export interface ChunkRef {
  address: number;
  size: number;
  filterMask: number;
}

export type Storage =
  | { kind: "contiguous"; address: number; size: number }
  | {
      kind: "chunked";
      /** Chunk shape in elements. */
      chunks: number[];
      /** The chunk whose first element is at `offsets` (multiples of the chunk shape); undefined if never written. */
      chunkAt(offsets: number[]): ChunkRef | undefined;
    };

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const LAYOUT_MESSAGE = 0x0008;
const CONTINUATION_MESSAGE = 0x0010;

/** An open HDF5 file read with positioned reads; addresses are relative to the superblock's base address. */
export class StorageFile {
  readonly #fd: number;
  #sizes: { offsets: number; lengths: number; base: number } | undefined;

  constructor(absolutePath: string) {
    this.#fd = fs.openSync(absolutePath, "r");
  }

  /** Reads `length` bytes at `address` into `into` (from `at`), or throws if the file is shorter. */
  readInto(address: number, length: number, into: Uint8Array, at = 0): void {
    const position = this.#base() + address;
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.#fd, into, at + done, length - done, position + done);
      if (n === 0) throw new Error(`file ends before byte ${position + length}`);
      done += n;
    }
  }

  read(address: number, length: number): Buffer {
    const bytes = Buffer.allocUnsafe(length);
    this.readInto(address, length, bytes);
    return bytes;
  }

  close(): void {
    fs.closeSync(this.#fd);
  }

  /** Size of file addresses ("offsets") and of lengths, in bytes. */
  get sizes(): { offsets: number; lengths: number } {
    this.#base();
    return this.#sizes!;
  }

  #base(): number {
    if (this.#sizes) return this.#sizes.base;
    // The superblock is at 0 or, after a user block, at 512, 1024, 2048, …
    const size = fs.fstatSync(this.#fd).size;
    for (let at = 0; at + 64 <= size; at = at === 0 ? 512 : at * 2) {
      const sb = Buffer.alloc(64);
      fs.readSync(this.#fd, sb, 0, 64, at);
      if (!sb.subarray(0, 8).equals(SIGNATURE)) continue;
      const version = sb[8]!;
      const [offsets, lengths, baseAt] = version <= 1 ? [sb[13]!, sb[14]!, version === 0 ? 24 : 28] : [sb[9]!, sb[10]!, 12];
      const base = readUint(sb, baseAt, offsets);
      this.#sizes = { offsets, lengths, base: base ?? at };
      return this.#sizes.base;
    }
    throw new Error("no HDF5 superblock");
  }
}

/** Little-endian unsigned integer of `bytes` bytes; undefined for all ones (HDF5's "undefined address"). */
function readUint(buf: Buffer, at: number, bytes: number): number | undefined {
  if (bytes === 8) {
    const v = buf.readBigUInt64LE(at);
    if (v === 0xffffffffffffffffn) return undefined;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("address beyond 2^53");
    return Number(v);
  }
  const v = buf.readUIntLE(at, bytes);
  return v === 2 ** (8 * bytes) - 1 ? undefined : v;
}

/** A cursor over a buffer for the format's little-endian fields. */
class Fields {
  constructor(
    readonly buf: Buffer,
    public at: number,
    readonly sizes: { offsets: number; lengths: number },
  ) {}
  u(bytes: number): number {
    const v = bytes === 8 ? readUint(this.buf, this.at, 8) : this.buf.readUIntLE(this.at, bytes);
    if (v === undefined) throw new Error("undefined value");
    this.at += bytes;
    return v;
  }
  address(): number | undefined {
    const v = readUint(this.buf, this.at, this.sizes.offsets);
    this.at += this.sizes.offsets;
    return v;
  }
  length(): number {
    const v = readUint(this.buf, this.at, this.sizes.lengths);
    this.at += this.sizes.lengths;
    if (v === undefined) throw new Error("undefined length");
    return v;
  }
}

/**
 * The storage of the dataset whose object header is at `objectAddress` (what an HDF5 object
 * reference holds), or null when its layout is one this module does not read.
 */
export function datasetStorage(file: StorageFile, objectAddress: number, shape: number[], elementBytes: number): Storage | null {
  const rank = shape.length;
  const layout = layoutMessage(file, objectAddress);
  if (!layout) return null;
  const f = new Fields(layout, 0, file.sizes);
  const version = f.u(1);
  if (version !== 3 && version !== 4) return null;
  const layoutClass = f.u(1);
  if (layoutClass === 1) {
    const address = f.address();
    const size = f.length();
    return address === undefined ? null : { kind: "contiguous", address, size };
  }
  if (layoutClass !== 2) return null;
  if (version === 3) {
    const dims = f.u(1);
    const btree = f.address();
    const chunks = Array.from({ length: dims }, () => f.u(4));
    if (btree === undefined || dims !== rank + 1) return null;
    return chunkedStorage(chunks.slice(0, rank), btreeChunks(file, btree, dims));
  }
  const flags = f.u(1);
  const dims = f.u(1);
  const encoded = f.u(1);
  const chunks = Array.from({ length: dims }, () => f.u(encoded));
  if (dims !== rank + 1) return null;
  const chunkShape = chunks.slice(0, rank);
  const chunkBytes = chunkShape.reduce((a, b) => a * b, elementBytes);
  const indexType = f.u(1);
  if (indexType === 1) {
    const filtered = (flags & 2) !== 0;
    const size = filtered ? f.length() : chunkBytes;
    const filterMask = filtered ? f.u(4) : 0;
    const address = f.address();
    if (address === undefined) return null;
    return chunkedStorage(chunkShape, new Map([[key(new Array<number>(rank).fill(0)), { address, size, filterMask }]]));
  }
  if (indexType === 2) {
    const address = f.address();
    if (address === undefined) return null;
    return {
      kind: "chunked",
      chunks: chunkShape,
      chunkAt: (offsets) => ({ address: address + linearChunk(offsets, chunkShape, shape) * chunkBytes, size: chunkBytes, filterMask: 0 }),
    };
  }
  if (indexType === 3) {
    f.u(1); // page bits: the header says whether the data block is paged
    const header = f.address();
    if (header === undefined) return null;
    const entries = fixedArrayChunks(file, header, chunkBytes);
    return entries ? { kind: "chunked", chunks: chunkShape, chunkAt: (offsets) => entries[linearChunk(offsets, chunkShape, shape)] } : null;
  }
  return null;
}

/** Storage over a map of chunk offsets to chunks. */
function chunkedStorage(chunks: number[], index: Map<string, ChunkRef>): Storage {
  return { kind: "chunked", chunks, chunkAt: (offsets) => index.get(key(offsets)) };
}

function key(offsets: number[]): string {
  return offsets.join(",");
}

/** Row-major index of the chunk at `offsets` in the grid of chunks over `shape` (how fixed array and implicit indexes number chunks). */
function linearChunk(offsets: number[], chunks: number[], shape: number[]): number {
  let index = 0;
  for (const [d, size] of shape.entries()) index = index * Math.ceil(size / chunks[d]!) + offsets[d]! / chunks[d]!;
  return index;
}

/** The body of the object header's data layout message, following continuation blocks. */
function layoutMessage(file: StorageFile, address: number): Buffer | undefined {
  const { offsets, lengths } = file.sizes;
  const prefix = file.read(address, 16);
  const blocks: { at: number; size: number }[] = [];
  let v2: boolean;
  let headerBytes: number;
  if (prefix.toString("latin1", 0, 4) === "OHDR") {
    v2 = true;
    const flags = prefix[5]!;
    let at = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const head = file.read(address + at, sizeBytes);
    at += sizeBytes;
    blocks.push({ at: address + at, size: head.readUIntLE(0, sizeBytes) });
    // Message headers: type (1), size (2), flags (1), and the creation order (2) when tracked.
    headerBytes = flags & 0x04 ? 6 : 4;
  } else if (prefix[0] === 1) {
    v2 = false;
    headerBytes = 8;
    blocks.push({ at: address + 16, size: prefix.readUInt32LE(8) });
  } else {
    return undefined;
  }
  for (let b = 0; b < blocks.length && b < 64; b++) {
    const block = blocks[b]!;
    const buf = file.read(block.at, block.size);
    let at = 0;
    while (at + headerBytes <= buf.length) {
      const type = v2 ? buf[at]! : buf.readUInt16LE(at);
      const size = buf.readUInt16LE(v2 ? at + 1 : at + 2);
      const body = at + headerBytes;
      if (body + size > buf.length) break;
      if (type === LAYOUT_MESSAGE) return buf.subarray(body, body + size);
      if (type === CONTINUATION_MESSAGE) {
        const f = new Fields(buf, body, { offsets, lengths });
        const next = f.address();
        const length = f.length();
        // v2 continuation blocks start with "OCHK" and end with a checksum.
        if (next !== undefined) blocks.push(v2 ? { at: next + 4, size: length - 8 } : { at: next, size: length });
      }
      at = body + size;
    }
  }
  return undefined;
}

/** Every chunk of a version 1 B-tree chunk index, by offsets (the keys' last offset, the element dimension, is left out). */
function btreeChunks(file: StorageFile, root: number, dims: number): Map<string, ChunkRef> {
  const { offsets } = file.sizes;
  const keyBytes = 8 + 8 * dims;
  const index = new Map<string, ChunkRef>();
  const visit = (address: number, depth: number): void => {
    if (depth > 64) throw new Error("B-tree too deep");
    const head = file.read(address, 8 + 2 * offsets);
    if (head.toString("latin1", 0, 4) !== "TREE" || head[4] !== 1) throw new Error("not a chunk B-tree node");
    const level = head[5]!;
    const entries = head.readUInt16LE(6);
    const body = file.read(address + head.length, entries * (keyBytes + offsets) + keyBytes);
    const f = new Fields(body, 0, file.sizes);
    for (let i = 0; i < entries; i++) {
      const size = f.u(4);
      const filterMask = f.u(4);
      const chunkOffsets = Array.from({ length: dims }, () => f.u(8));
      const child = f.address();
      if (child === undefined) throw new Error("undefined B-tree child");
      if (level > 0) visit(child, depth + 1);
      else index.set(key(chunkOffsets.slice(0, dims - 1)), { address: child, size, filterMask });
    }
  };
  visit(root, 0);
  return index;
}

/** The entries of an unpaged fixed array chunk index, in chunk order; undefined when paged. */
function fixedArrayChunks(file: StorageFile, header: number, chunkBytes: number): (ChunkRef | undefined)[] | undefined {
  const { offsets, lengths } = file.sizes;
  const head = file.read(header, 8 + lengths + offsets);
  if (head.toString("latin1", 0, 4) !== "FAHD") throw new Error("not a fixed array header");
  const filtered = head[5] === 1;
  const entryBytes = head[6]!;
  const pageBits = head[7]!;
  const f = new Fields(head, 8, file.sizes);
  const count = f.length();
  const block = f.address();
  if (count > 2 ** pageBits) return undefined;
  if (block === undefined) return new Array<undefined>(count);
  const data = file.read(block, 6 + offsets + count * entryBytes);
  if (data.toString("latin1", 0, 4) !== "FADB") throw new Error("not a fixed array data block");
  const g = new Fields(data, 6 + offsets, file.sizes);
  return Array.from({ length: count }, () => {
    const address = g.address();
    const size = filtered ? g.u(entryBytes - offsets - 4) : chunkBytes;
    const filterMask = filtered ? g.u(4) : 0;
    return address === undefined ? undefined : { address, size, filterMask };
  });
}
