import assert from "node:assert/strict";
import { copyFile, mkdir, open, readFile, symlink, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  DataRootError,
  eigerFrames,
  eigerPixelMask,
  Hdf5Error,
  MissingFilterError,
  NotFoundError,
  nxData,
  openH5,
  ParameterError,
  writeNxProcess,
  type NumericArray,
} from "../../analysis/index.ts";
import { decodeBitshuffleLz4 } from "../../analysis/hdf5/bitshuffle-lz4.ts";
import { UNSHUFFLE_WASM } from "../../analysis/hdf5/unshuffle-wasm.ts";
import { unshuffleWasm } from "../../bin/unshuffle-wasm.ts";
import { makeFixture, readTruth, tempDataRoot } from "./fixtures.ts";

let root: string;
let cleanup: () => Promise<void>;

interface DumpIndex {
  [dataset: string]: { bin: string; dtype: string; shape: number[] };
}

/** h5py's reading of each dataset, as little-endian bytes. */
async function dump(file: string, out: string, datasets: string[] = []): Promise<DumpIndex> {
  await makeFixture(root, "dump", file, out, ...datasets);
  return JSON.parse(await readFile(path.join(root, out, "index.json"), "utf8")) as DumpIndex;
}

function bytes(a: NumericArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

before(async () => {
  ({ root, cleanup } = await tempDataRoot());
  await makeFixture(root, "hdf5", "all.h5");
  await makeFixture(root, "eiger", "eiger");
});

after(() => cleanup());

// Bit-identical, not within a tolerance: decoding a filter is lossless and both readers return
// the stored values, so any difference is a bug (byte order, filter, selection).
test("every dtype and filter reads bit-identical to h5py (gzip, shuffle, LZ4, bitshuffle, bitshuffle-LZ4, Blosc, Zstd)", async () => {
  const index = await dump("all.h5", "all-dump");
  const names = Object.keys(index);
  for (const filter of ["gzip_", "shuffle_gzip_", "lz4_", "bitshuffle_lz4_", "bitshuffle_", "blosc_lz4_", "blosc_zstd_", "zstd_"]) {
    assert.ok(
      names.some((n) => n.startsWith(`/filters/${filter}`)),
      `fixture has ${filter} datasets`,
    );
  }
  assert.ok(names.filter((n) => n.startsWith("/dtypes/")).length >= 14);
  using f = await openH5("all.h5", { root });
  for (const [name, ref] of Object.entries(index)) {
    const ds = f.dataset(name);
    assert.deepEqual(ds.shape, ref.shape, name);
    assert.equal(ds.dtype.numpy, ref.dtype, name);
    const { data, shape } = ds.readAll();
    assert.deepEqual(shape, ref.shape, name);
    const expected = await readFile(path.join(root, "all-dump", ref.bin));
    assert.ok(bytes(data).equals(expected), `${name} (${ref.dtype}) differs from h5py`);
  }
});

test("frames, frame ranges and regions of interest are the same values as the whole array", async () => {
  const index = await dump("all.h5", "slice-dump", ["/filters/bitshuffle_lz4_uint32"]);
  const ref = new Uint32Array((await readFile(path.join(root, "slice-dump", index["/filters/bitshuffle_lz4_uint32"]!.bin))).buffer.slice(0));
  const [n, h, w] = index["/filters/bitshuffle_lz4_uint32"]!.shape as [number, number, number];
  using f = await openH5("all.h5", { root });
  const ds = f.dataset("/filters/bitshuffle_lz4_uint32");
  assert.equal(ds.length, n);
  assert.deepEqual(ds.frameShape, [h, w]);
  const frame2 = ds.frame(2);
  assert.deepEqual(frame2.shape, [h, w]);
  assert.deepEqual(Array.from(frame2.data as Uint32Array), Array.from(ref.subarray(2 * h * w, 3 * h * w)));
  assert.deepEqual(Array.from(ds.frame(-1).data as Uint32Array), Array.from(ref.subarray((n - 1) * h * w)));
  const range = ds.frames(1, 3);
  assert.deepEqual(range.shape, [2, h, w]);
  assert.deepEqual(Array.from(range.data as Uint32Array), Array.from(ref.subarray(h * w, 3 * h * w)));
  const roi = ds.roi(3, { x: 5, y: 7, width: 11, height: 4 });
  assert.deepEqual(roi.shape, [4, 11]);
  const expected: number[] = [];
  for (let y = 7; y < 11; y++) for (let x = 5; x < 16; x++) expected.push(ref[(3 * h + y) * w + x]!);
  assert.deepEqual(Array.from(roi.data as Uint32Array), expected);
  assert.throws(
    () => ds.frame(n),
    (e: unknown) => e instanceof ParameterError && e.context.parameter === "index" && e.context.dataset === "/filters/bitshuffle_lz4_uint32",
  );
  assert.throws(() => ds.roi(0, { x: w - 2, y: 0, width: 4, height: 1 }), /range \[\d+, \d+\) is empty or outside/);
});

// What Eiger detectors write: bitshuffle-LZ4 frames of mostly 0 and 1 counts, whose 32 bit
// planes are mostly zero. Decoded by bitshuffle-lz4.ts (WebAssembly SIMD for 32-bit elements),
// straight from the chunk bytes; h5py (bitshuffle's own C decoder) is the reference.
test("Eiger 4M low-count bitshuffle-LZ4 frames decode directly, bit-identical to h5py", async () => {
  await makeFixture(root, "lowcount", "lowcount.h5", "--frames", "2");
  const index = await dump("lowcount.h5", "lowcount-dump");
  const expected = await readFile(path.join(root, "lowcount-dump", index["/data"]!.bin));
  const frameBytes = expected.length / 2;
  const { chunks } = await readTruth<{ chunks: [number, number][] }>(root, "lowcount.h5");
  const handle = await open(path.join(root, "lowcount.h5"));
  const decoded = new Uint8Array(frameBytes);
  for (const [i, [offset, size]] of chunks.entries()) {
    const chunk = Buffer.alloc(size);
    await handle.read(chunk, 0, size, offset);
    decodeBitshuffleLz4(chunk, 4, decoded);
    assert.ok(Buffer.from(decoded).equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes)), `chunk ${i} decodes to h5py's frame`);
    if (i === 0) {
      assert.throws(() => decodeBitshuffleLz4(chunk.subarray(0, size - 100), 4, decoded), /bitshuffle (block beyond the chunk|chunk has the wrong length)|LZ4/);
      assert.throws(() => decodeBitshuffleLz4(chunk, 4, new Uint8Array(frameBytes - 4)), /bitshuffle chunk holds \d+ bytes, expected \d+/);
      const garbled = Buffer.from(chunk);
      garbled.fill(0xff, 12 + 4, 12 + 4 + 64);
      assert.throws(() => decodeBitshuffleLz4(garbled, 4, decoded), /LZ4 (match outside|literals beyond) the block/);
    }
  }
  await handle.close();
  using f = await openH5("lowcount.h5", { root });
  const ds = f.dataset("/data");
  assert.ok(ds.directReads);
  assert.deepEqual(ds.frameShape, [2070, 2167]);
  const into = new Uint32Array(2070 * 2167);
  for (let i = 0; i < 2; i++) {
    assert.ok(bytes(ds.frame(i).data).equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${i}`);
    ds.frame(i, into);
    assert.ok(bytes(into).equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${i} into an array`);
  }
  assert.ok(bytes(ds.read([1, [5, 9], null]).data).equals(expected.subarray(frameBytes + 5 * 2167 * 4, frameBytes + 9 * 2167 * 4)), "rows of a frame");
  // A damaged chunk: the direct decode fails, h5wasm's bitshuffle reads it again and names the dataset.
  await copyFile(path.join(root, "lowcount.h5"), path.join(root, "lowcount-damaged.h5"));
  const damaged = await open(path.join(root, "lowcount-damaged.h5"), "r+");
  await damaged.write(Buffer.alloc(64, 0xff), 0, 64, chunks[1]![0] + 16);
  await damaged.close();
  using g = await openH5("lowcount-damaged.h5", { root });
  assert.ok(bytes(g.dataset("/data").frame(0).data).equals(expected.subarray(0, frameBytes)));
  assert.throws(
    () => g.dataset("/data").frame(1),
    (e: unknown) => e instanceof Hdf5Error && e.context.dataset === "/data" && e.context.file === "lowcount-damaged.h5",
  );
});

test("the WebAssembly unshuffle in analysis/hdf5/unshuffle-wasm.ts is what bin/unshuffle-wasm.ts builds from its text", async () => {
  assert.ok(Buffer.from(await unshuffleWasm()).equals(UNSHUFFLE_WASM), "run: node --import tsx bin/unshuffle-wasm.ts");
});

// Whole frames of read-only files are read straight from the file (direct-read.ts) when the
// layout is one storage.ts locates; the rest goes through h5wasm. Both must give h5py's bytes.
test("every storage layout and chunk index reads bit-identical to h5py, directly from the file where it can", async () => {
  await makeFixture(root, "layouts", "layouts.h5");
  await makeFixture(root, "layouts", "layouts_latest.h5", "--latest");
  const direct = ["contiguous", "chunk_frame", "chunk_3_frames", "chunk_3_frames_gzip", "many_chunks_gzip", "image_gzip", "sparse", "early_allocated"];
  for (const [file, alsoDirect] of [
    ["layouts.h5", ["paged_chunks", "growing"]],
    ["layouts_latest.h5", []],
  ] as const) {
    const index = await dump(file, `${file}-dump`);
    using f = await openH5(file, { root });
    for (const [name, ref] of Object.entries(index)) {
      const ds = f.dataset(name);
      const expected = await readFile(path.join(root, `${file}-dump`, ref.bin));
      // Single chunk, implicit and fixed array indexes (latest format) and the v1 B-tree; paged fixed
      // arrays and extensible arrays (unlimited dimensions) are left to h5wasm.
      const expectDirect = direct.includes(name.slice(1)) || (alsoDirect as readonly string[]).includes(name.slice(1));
      assert.equal(ds.directReads, expectDirect, `${file} ${name} read directly`);
      assert.ok(bytes(ds.readAll().data).equals(expected), `${file} ${name} whole`);
      if (ref.shape.length < 3) continue;
      const frameBytes = expected.length / ref.shape[0]!;
      for (let i = 0; i < ref.shape[0]!; i += 1 + Math.floor(ref.shape[0]! / 8)) {
        assert.ok(bytes(ds.frame(i).data).equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes)), `${file} ${name} frame ${i}`);
      }
      // Into a caller's array, reused for every frame (h5py's read_direct).
      const into = ds.frame(0).data.slice();
      for (let i = 0; i < ref.shape[0]!; i += 1 + Math.floor(ref.shape[0]! / 4)) {
        assert.equal(ds.frame(i, into).data, into);
        assert.ok(bytes(into).equals(expected.subarray(i * frameBytes, (i + 1) * frameBytes)), `${file} ${name} frame ${i} into an array`);
      }
      assert.throws(
        () => ds.frame(0, new Float64Array(into.length + 1)),
        (e: unknown) => e instanceof ParameterError && e.context.parameter === "into",
      );
      const last = ref.shape[0]! - 1;
      assert.ok(bytes(ds.frames(1, last).data).equals(expected.subarray(frameBytes, last * frameBytes)), `${file} ${name} frames 1..${last}`);
      const rowBytes = frameBytes / ref.shape[1]!;
      assert.ok(
        bytes(ds.read([last, [1, 2], null]).data).equals(expected.subarray(last * frameBytes + rowBytes, last * frameBytes + 2 * rowBytes)),
        `${file} ${name} row`,
      );
    }
  }
  // A damaged gzip chunk: the direct read fails, h5wasm reads it again and names the dataset.
  await copyFile(path.join(root, "layouts.h5"), path.join(root, "damaged.h5"));
  const { chunks } = await readTruth<{ chunks: Record<string, [number, number][]> }>(root, "layouts.h5");
  const [offset, size] = chunks.many_chunks_gzip![5]!;
  const handle = await open(path.join(root, "damaged.h5"), "r+");
  await handle.write(Buffer.alloc(size, 0xab), 0, size, offset);
  await handle.close();
  using damaged = await openH5("damaged.h5", { root });
  const ds = damaged.dataset("/many_chunks_gzip");
  assert.throws(
    () => ds.frame(5),
    (e: unknown) => e instanceof Hdf5Error && e.context.dataset === "/many_chunks_gzip" && e.context.file === "damaged.h5",
  );
  assert.deepEqual(ds.frame(6).shape, [4, 5]);
});

test("the tree lists groups, datasets with layout and filters, attributes, and soft, hard and external links", async () => {
  using f = await openH5("all.h5", { root });
  const tree = f.tree();
  const byPath = new Map(tree.map((n) => [n.path, n]));
  assert.deepEqual(byPath.get("/links/soft"), { kind: "soft-link", path: "/links/soft", target: "/dtypes/le_u2", broken: false });
  assert.deepEqual(byPath.get("/links/broken"), { kind: "soft-link", path: "/links/broken", target: "/nowhere", broken: true });
  assert.deepEqual(byPath.get("/links/external"), { kind: "external-link", path: "/links/external", file: "all_ext.h5", target: "/data/values" });
  const hard = [byPath.get("/links/hard"), byPath.get("/dtypes/le_f8")];
  assert.ok(
    hard.some((n) => n?.kind === "hard-link"),
    "one of the two names of the same dataset is reported as a hard link to the other",
  );
  const bslz4 = byPath.get("/filters/bitshuffle_lz4_uint16");
  assert.ok(bslz4?.kind === "dataset");
  assert.deepEqual(bslz4.chunks, [1, 33, 40]);
  assert.deepEqual(
    bslz4.filters.map((x) => x.name),
    ["bitshuffle"],
  );
  assert.equal(bslz4.filters[0]!.cdValues[4], 2, "bitshuffle's 5th parameter 2 = LZ4");
  const shuffled = byPath.get("/filters/shuffle_gzip_uint16");
  assert.ok(shuffled?.kind === "dataset");
  assert.deepEqual(
    shuffled.filters.map((x) => x.name),
    ["shuffle", "gzip"],
  );
  const group = byPath.get("/entry");
  assert.ok(group?.kind === "group");
  assert.deepEqual(group.attrs, { NX_class: "NXentry", default: "plot" });
  assert.deepEqual(f.attrs("/"), { creator: "make_fixtures.py", default: "entry" });
  // Links are followed when reading.
  assert.deepEqual(
    Array.from(f.dataset("/links/external").readAll().data as Int32Array),
    Array.from({ length: 12 }, (_, i) => i),
  );
  assert.deepEqual(f.dataset("/links/external_group/values").shape, [3, 4]);
  assert.deepEqual(f.dataset("/links/soft").shape, [3, 17, 19]);
});

test("NeXus: the default NXdata, its signal, axes and units", async () => {
  using f = await openH5("all.h5", { root });
  const plot = nxData(f);
  assert.equal(plot.path, "/entry/plot");
  assert.equal(plot.signal.path, "/entry/plot/intensity");
  assert.equal(plot.signal.units, "counts");
  assert.deepEqual(plot.signal.shape, [50]);
  assert.equal(plot.axes.length, 1);
  assert.equal(plot.axes[0]?.path, "/entry/plot/two_theta");
  assert.equal(plot.axes[0]?.units, "deg");
  assert.equal(plot.axes[0]?.dimension, 0);
});

test("Eiger master: data files through external links read as one stack, bit-identical to h5py; pixel mask", async () => {
  using f = await openH5("eiger/series_master.h5", { root });
  const links = f.tree().filter((n) => n.kind === "external-link");
  assert.deepEqual(
    links.map((n) => n.kind === "external-link" && [n.path, n.file, n.target]),
    [1, 2, 3].map((k) => [`/entry/data/data_00000${k}`, `series_data_00000${k}.h5`, "/entry/data/data"]),
  );
  const stack = eigerFrames(f);
  assert.equal(stack.length, 7);
  assert.deepEqual(stack.frameShape, [96, 80]);
  const frameBytes = 96 * 80 * 4;
  for (const [k, first] of [
    [1, 0],
    [2, 3],
    [3, 6],
  ] as const) {
    const index = await dump(`eiger/series_data_00000${k}.h5`, `eiger-dump-${k}`, ["/entry/data/data"]);
    const all = await readFile(path.join(root, `eiger-dump-${k}`, index["/entry/data/data"]!.bin));
    for (let i = 0; i < index["/entry/data/data"]!.shape[0]!; i++) {
      assert.ok(bytes(stack.frame(first + i).data).equals(all.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${first + i}`);
    }
  }
  const mask = eigerPixelMask(f);
  assert.deepEqual(mask.shape, [96, 80]);
  assert.equal(mask.data[3 * 80 + 5], 1, "dead pixel");
  assert.equal(mask.data[7 * 80 + 11], 1, "noisy pixel");
  assert.equal(mask.data[48 * 80], 1, "module gap");
  assert.equal(
    mask.data.reduce((a, b) => a + b, 0),
    4 * 80 + 2,
  );
});

test("results are written back as an NXprocess that h5py reads", async () => {
  await copyFile(path.join(root, "all.h5"), path.join(root, "results.h5"));
  {
    using f = await openH5("results.h5", { root, mode: "a" });
    const where = writeNxProcess(f, {
      name: "integrate",
      program: "lightbook",
      version: "0.1.0",
      parameters: { npt: 500, unit: "2th_deg", polarization: 0.99, correct_solid_angle: true, mask: [1, 2] },
      results: { intensity: { data: new Float64Array([1, 2, 3]), units: "counts" }, two_theta: { data: [10, 20, 30], units: "deg" } },
      axes: ["two_theta"],
      date: new Date("2026-01-02T03:04:05Z"),
    });
    assert.equal(where, "/entry/integrate");
    assert.throws(() => writeNxProcess(f, { name: "integrate", program: "x", version: "1", parameters: {} }), /already exists/);
  }
  const index = await dump("results.h5", "results-dump", [
    "/entry/integrate/parameters/npt",
    "/entry/integrate/parameters/polarization",
    "/entry/integrate/data/intensity",
  ]);
  const npt = new Float64Array((await readFile(path.join(root, "results-dump", index["/entry/integrate/parameters/npt"]!.bin))).buffer.slice(0));
  assert.deepEqual(Array.from(npt), [500]);
  const intensity = new Float64Array((await readFile(path.join(root, "results-dump", index["/entry/integrate/data/intensity"]!.bin))).buffer.slice(0));
  assert.deepEqual(Array.from(intensity), [1, 2, 3]);
  using f = await openH5("results.h5", { root });
  assert.deepEqual(f.attrs("/entry/integrate"), { NX_class: "NXprocess" });
  assert.equal(nxData(f, "/entry/integrate/data").axes[0]?.units, "deg");
  assert.throws(() => writeNxProcess(f, { name: "again", program: "x", version: "1", parameters: {} }), /mode 'a' or 'w'/);
});

test("bad input gives errors naming the file and dataset, and the library keeps working", async () => {
  await copyFile(path.join(root, "all.h5"), path.join(root, "truncated.h5"));
  await truncate(path.join(root, "truncated.h5"), 20_000);
  await assert.rejects(
    openH5("truncated.h5", { root }),
    (e: unknown) => e instanceof Hdf5Error && e.context.file === "truncated.h5" && /truncated file/.test(e.message),
  );
  await writeFile(path.join(root, "not-hdf5.h5"), "this is not HDF5\n".repeat(100));
  await assert.rejects(openH5("not-hdf5.h5", { root }), (e: unknown) => e instanceof Hdf5Error && /signature not found/.test(e.message));
  await assert.rejects(openH5("../etc/passwd", { root }), DataRootError);
  await assert.rejects(openH5("missing.h5", { root }), (e: unknown) => e instanceof NotFoundError && e.context.file === "missing.h5");
  using f = await openH5("all.h5", { root });
  assert.throws(
    () => f.dataset("/no/such"),
    (e: unknown) => e instanceof NotFoundError && e.context.dataset === "/no/such" && e.context.file === "all.h5",
  );
  assert.throws(() => f.dataset("/links/broken"), /soft link \/links\/broken points to a missing object/);
  assert.throws(
    () => f.dataset("/links/escape"),
    (e: unknown) => e instanceof DataRootError && e.context.dataset === "/links/escape",
  );
  assert.throws(() => f.dataset("/entry"), /group, not a dataset/);
  assert.throws(
    () => f.dataset("/filters/unknown_filter").frame(0),
    (e: unknown) => e instanceof MissingFilterError && e.context.dataset === "/filters/unknown_filter" && /id 305/.test(e.message),
  );
  // Still reads after all of the above.
  assert.deepEqual(f.dataset("/filters/zstd_uint16").frame(0).shape, [33, 40]);
});

test("readBytes: what a selection makes HDF5 decode, whole chunks for chunked data", async () => {
  using f = await openH5("all.h5", { root });
  const chunked = f.dataset("/filters/gzip_uint16");
  assert.deepEqual(
    [chunked.shape, chunked.chunks],
    [
      [4, 33, 40],
      [1, 33, 40],
    ],
  );
  assert.equal(chunked.readBytes([0, 0, 0]), 33 * 40 * 2, "one element decodes its chunk");
  assert.equal(chunked.readBytes([[1, 3], null, [5, 6]]), 2 * 33 * 40 * 2);
  const contiguous = f.dataset("/dtypes/le_u2");
  assert.equal(contiguous.chunks, null);
  assert.equal(contiguous.readBytes([1, [2, 5], null]), 3 * 19 * 2);
  assert.throws(() => contiguous.readBytes([5]), ParameterError);
});

test("opened for a run's data folders, a file's external links may not lead out of them", async () => {
  await mkdir(path.join(root, "other"), { recursive: true });
  await copyFile(path.join(root, "eiger", "series_master.h5"), path.join(root, "other", "series_master.h5"));
  for (const k of [1, 2, 3]) await symlink(path.join(root, "eiger", `series_data_00000${k}.h5`), path.join(root, "other", `series_data_00000${k}.h5`));
  {
    using inside = await openH5("eiger/series_master.h5", { root, folders: ["eiger"] });
    assert.equal(eigerFrames(inside).length, 7);
    using unscoped = await openH5("other/series_master.h5", { root });
    assert.equal(eigerFrames(unscoped).length, 7);
  }
  using scoped = await openH5("other/series_master.h5", { root, folders: ["other"] });
  assert.throws(
    () => eigerFrames(scoped),
    (e: unknown) => e instanceof DataRootError && /leads outside the data folders/.test(e.message),
  );
});
