import v8 from "node:v8";

/**
 * Kernels and agents allocate a new array per detector frame (16 MiB for a 2048² uint32 frame).
 * glibc serves allocations that large with fresh mmap()s and returns them on free, so every frame
 * costs thousands of page faults, and V8 frees ArrayBuffers only when it collects. Raising the
 * mmap and trim thresholds lets freed frames be reused from the heap, as numpy's frames are
 * (bench/hdf5-read.ts measures both). Two arenas, not one per thread: with the high trim
 * threshold, memory a thread freed (a kernel's stopped language worker) stayed in that thread's
 * arena; sharing two, it is reused (bench/kernel-memory.ts: about 8 % less per kernel, 236 to 220 MiB
 * PSS). glibc reads this at process start, so it is set in the environment of the processes we
 * start; a GLIBC_TUNABLES the user set is kept.
 */
const FRAME_SIZED = 256 * 2 ** 20;

export function frameMallocEnv(env: NodeJS.ProcessEnv = process.env): { GLIBC_TUNABLES: string } {
  return {
    GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? `glibc.malloc.mmap_threshold=${FRAME_SIZED}:glibc.malloc.trim_threshold=${FRAME_SIZED}:glibc.malloc.arena_max=2`,
  };
}

/**
 * Node 24's V8 (13.6) raised the young generation's largest size from 8 to 32 MiB, which moved
 * the point where young ArrayBuffers trigger a scavenge above the 64 MiB external-memory limit
 * that starts a full collection (nodejs/node#61967): frames already dropped then wait for a
 * mark-compact, and each new frame faults in fresh pages. The old size brings the scavenges back
 * (2048² frames read one by one: about 35 % less time and page faults, test/analysis/read-frames.ts).
 * Set at start of the kernels and agents, before their heaps grow; older V8s have it already.
 */
export function tuneFrameCollection(): void {
  if (Number(process.versions.v8.split(".")[0]) >= 13) v8.setFlagsFromString("--scavenger-max-new-space-capacity-mb=8");
}
