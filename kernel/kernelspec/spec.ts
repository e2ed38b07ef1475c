/**
 * The kernelspec: how Jupyter (and our server) starts this kernel.
 * https://jupyter-client.readthedocs.io/en/latest/kernels.html#kernel-specs
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { frameMallocEnv } from "../../analysis/frame-malloc.ts";
import { LIGHTBOOK_KERNEL, type KernelJson, type KernelSpecModel } from "../../contracts/kernelspec.ts";
import { kernelMemoryMb } from "../memory-limit.ts";

export const KERNEL_NAME = LIGHTBOOK_KERNEL.name;

/** Absolute paths, so the kernel starts from any working directory (Jupyter starts it in the notebook's). */
export function kernelJson(): KernelJson {
  return {
    argv: [
      process.execPath,
      // An interrupt may terminate JavaScript inside a timer callback (transport/control-worker.ts),
      // which leaves Node's async-context stack one callback deep; the check would abort the process.
      "--no-force-async-hooks-checks",
      // The kernel's memory limit: a cell that needs more ends the process (reported dead) rather
      // than the machine swapping. LIGHTBOOK_KERNEL_MEMORY_MB where the kernelspec is made; the
      // same number bounds the whole process's resident memory (transport/memory-watchdog.ts).
      `--max-old-space-size=${kernelMemoryMb()}`,
      // The main thread's young generation stays at 2 × 2 MiB instead of growing to 2 × 8 MiB
      // (analysis/frame-malloc.ts caps it there): about 6 MiB less RSS per kernel, with no
      // measurable cost to an object-heavy cell (1 MiB saved 10 MiB but cost 10-15 % CPU).
      "--max-semi-space-size=2",
      "--import",
      fileURLToPath(import.meta.resolve("tsx")),
      fileURLToPath(new URL("../main.ts", import.meta.url)),
      "-f",
      "{connection_file}",
    ],
    display_name: LIGHTBOOK_KERNEL.display_name,
    language: LIGHTBOOK_KERNEL.language,
    interrupt_mode: "message",
    env: {
      ...frameMallocEnv(),
      LIGHTBOOK_KERNEL_MEMORY_MB: String(kernelMemoryMb()),
      // esbuild's synchronous API (tsx's transforms, worker-thread.ts's bundles) otherwise keeps a
      // worker thread and an esbuild service process for the kernel's whole life, about 30 MiB of
      // RSS (bench/kernel-memory.ts); without it each call runs esbuild once, and a kernel whose
      // modules tsx has cached calls it only to bundle its worker threads at start.
      ESBUILD_WORKER_THREADS: "0",
    },
    metadata: {},
  };
}

export function kernelSpec(): KernelSpecModel {
  return { name: KERNEL_NAME, spec: kernelJson(), resources: {} };
}
