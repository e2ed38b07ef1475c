/**
 * Bounds the kernel process's resident memory, not only V8's heap: `Buffer.alloc`, typed arrays
 * and WebAssembly memory live outside the heap that --max-old-space-size limits. RLIMIT_AS does
 * not fit V8, which reserves far more address space than it uses; cgroups are not ours to make.
 * So the control thread, which runs even while a cell blocks the main thread, reads the process's
 * VmRSS and ends the process with SIGKILL past the limit; whoever started the kernel sees it
 * exit (the server reports it dead, and a restart brings it back), as when the heap runs out.
 */
import { readFileSync, writeSync } from "node:fs";
import process from "node:process";

/** Often enough that a cell allocating at memory speed overshoots by a few hundred MiB at most. */
const POLL_MS = 50;

/** The process's resident set in MiB, from /proc (Linux). */
export function residentMiB(): number {
  const kB = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  if (kB === undefined) throw new Error("no VmRSS in /proc/self/status");
  return Number(kB) / 1024;
}

export function watchMemory(limitMb: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const rss = residentMiB();
    if (rss <= limitMb) return;
    // File descriptor 2 directly: the main thread, which forwards a worker's process.stderr, may be stuck.
    writeSync(
      2,
      `[lightbook-kernel ${new Date().toISOString()}] memory limit exceeded: resident ${Math.round(rss)} MiB > ${limitMb} MiB (LIGHTBOOK_KERNEL_MEMORY_MB); ending the kernel\n`,
    );
    process.kill(process.pid, "SIGKILL");
  }, POLL_MS);
  timer.unref();
  return timer;
}
