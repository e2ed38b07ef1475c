import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { rm, statfs } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { after, before, test } from "node:test";
import { openH5 } from "../../analysis/index.ts";
import { h5module } from "../../analysis/hdf5/module.ts";
import { TSX_LOADER } from "../../server/paths.ts";
import { makeFixture, tempDataRoot } from "./fixtures.ts";

const FRAMES = 64;
const SIDE = 1024;
const FRAME_BYTES = SIDE * SIDE * 4;
const DATA_BYTES = FRAMES * FRAME_BYTES; // 256 MiB of uint32 per file

let root: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ root, cleanup } = await tempDataRoot());
  for (const layout of ["contiguous", "gzip", "bitshuffle"]) {
    await makeFixture(root, "big", `${layout}.h5`, "--layout", layout, "--frames", String(FRAMES), "--shape", String(SIDE), String(SIDE));
  }
});

after(() => cleanup());

// Reading a 256 MiB dataset frame by frame must not load the file: contiguous and gzip frames are
// read straight from the file (direct-read.ts), bitshuffle-LZ4 chunks by h5wasm through NODERAWFS,
// chunk by chunk, so the WebAssembly heap (where HDF5 puts what it reads) may grow by at most two
// frames. The process's RSS is bounded by the 4 GiB test below: on Node 24 (V8 13.6) frames already
// returned are reclaimed by mark-compact rather than scavenge (nodejs/node#61967), so on a file this
// small the peak RSS depends on how far concurrent marking gets while frames are read (116-182 MiB
// seen), not on the file.
for (const layout of ["contiguous", "gzip", "bitshuffle"]) {
  test(`${layout}: reading ${FRAMES} frames of ${SIDE}² uint32 one by one stays within a few frames of memory`, async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const module = await h5module();
    using f = await openH5(`${layout}.h5`, { root });
    const ds = f.dataset("/data");
    assert.deepEqual(ds.shape, [FRAMES, SIDE, SIDE]);
    ds.frame(0);
    gc();
    const heap0 = module.HEAPU8.buffer.byteLength;
    let checksum = 0;
    for (let i = 0; i < ds.length; i++) {
      const frame = ds.frame(i).data as Uint32Array;
      checksum += frame[i]!;
    }
    assert.ok(checksum > 0);
    const heapGrowth = module.HEAPU8.buffer.byteLength - heap0;
    assert.ok(heapGrowth <= 2 * FRAME_BYTES, `wasm heap grew by ${heapGrowth} bytes for ${DATA_BYTES / 2 ** 20} MiB of data`);
  });
}

const BIG_FRAMES = 256;
const BIG_SIDE = 2048;
const BIG_FRAME_BYTES = BIG_SIDE * BIG_SIDE * 4; // 16 MiB
const BIG_BYTES = BIG_FRAMES * BIG_FRAME_BYTES; // 4 GiB
const MiB = 2 ** 20;

// The bound, on a file too large to load: 4 GiB of contiguous uint32 frames (written by
// h5py a frame at a time) read frame by frame in a child process, whose peak RSS is reset after
// the first frame (read-frames.ts). Allowed growth: 64 MiB, V8's soft limit of external memory
// (ArrayBuffers) allocated since the last collection before it starts marking, plus the frames read
// while that mark-compact runs: on Node 24 (V8 13.6) short-lived ArrayBuffers wait for it rather
// than for a scavenge (nodejs/node#61967), up to 23 frames seen (365 MiB; 96 MiB on Node 20), so 32.
// A reader that kept frames or mapped the file would exceed the bound 7 times over.
test("a 4 GiB file read frame by frame grows the reader's peak RSS by at most 32 frames + 64 MiB", async (t) => {
  if (process.platform !== "linux") return t.skip("resetting the peak RSS (/proc/self/clear_refs) is Linux only");
  const { bavail, bsize } = await statfs(root);
  const free = bavail * bsize;
  const need = BIG_BYTES + 512 * MiB;
  if (free < need) return t.skip(`needs ${(need / 2 ** 30).toFixed(1)} GiB free in ${root} for the 4 GiB file, has ${(free / 2 ** 30).toFixed(1)} GiB`);
  const file = path.join(root, "4gib.h5");
  try {
    await makeFixture(root, "big", "4gib.h5", "--layout", "contiguous", "--frames", String(BIG_FRAMES), "--shape", String(BIG_SIDE), String(BIG_SIDE));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", TSX_LOADER, path.join(import.meta.dirname, "read-frames.ts"), file]);
    const run = JSON.parse(stdout) as { frames: number; frameBytes: number; rssAfterOpen: number; peakRss: number };
    assert.equal(run.frames, BIG_FRAMES);
    assert.equal(run.frameBytes, BIG_FRAME_BYTES);
    const growth = run.peakRss - run.rssAfterOpen;
    assert.ok(
      growth <= 32 * BIG_FRAME_BYTES + 64 * MiB,
      `peak RSS grew by ${(growth / MiB).toFixed(0)} MiB reading ${BIG_BYTES / 2 ** 30} GiB in ${BIG_FRAME_BYTES / MiB} MiB frames`,
    );
  } finally {
    await rm(file, { force: true });
  }
});
