/**
 * Kernels and agents allocate a new array per detector frame (16 MiB for a 2048² uint32 frame).
 * glibc serves allocations that large with fresh mmap()s and returns them on free, so every frame
 * costs thousands of page faults, and V8 frees ArrayBuffers only when it collects. Raising the
 * mmap and trim thresholds lets freed frames be reused from the heap, as numpy's frames are
 * (bench/hdf5-read.ts measures both). glibc reads this at process start, so it is set in the
 * environment of the processes we start; a GLIBC_TUNABLES the user set is kept.
 */
const FRAME_SIZED = 256 * 2 ** 20;

export function frameMallocEnv(env: NodeJS.ProcessEnv = process.env): { GLIBC_TUNABLES: string } {
  return { GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? `glibc.malloc.mmap_threshold=${FRAME_SIZED}:glibc.malloc.trim_threshold=${FRAME_SIZED}` };
}
