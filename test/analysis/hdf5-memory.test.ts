import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { after, before, test } from "node:test";
import { openH5 } from "../../kernel/analysis/index.ts";
import { h5module } from "../../kernel/analysis/hdf5/module.ts";
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

// Reading a 256 MiB dataset frame by frame must not load the file: h5wasm reads through
// NODERAWFS chunk by chunk. Two measures: the WebAssembly heap (where HDF5 puts what it reads)
// may grow by at most two frames, and the process's peak RSS by at most 16 frames (64 MiB,
// a quarter of the data): frames already returned are garbage the collector frees in batches,
// so the bound allows a few of them, and a reader that loaded the file would exceed it 4 times.
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
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let checksum = 0;
    for (let i = 0; i < ds.length; i++) {
      const frame = ds.frame(i).data as Uint32Array;
      checksum += frame[i]!;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    assert.ok(checksum > 0);
    const heapGrowth = module.HEAPU8.buffer.byteLength - heap0;
    assert.ok(heapGrowth <= 2 * FRAME_BYTES, `wasm heap grew by ${heapGrowth} bytes`);
    assert.ok(peak - rss0 < 16 * FRAME_BYTES, `peak RSS grew by ${((peak - rss0) / 2 ** 20).toFixed(1)} MiB for ${DATA_BYTES / 2 ** 20} MiB of data`);
  });
}
