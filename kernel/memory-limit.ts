/**
 * The kernel's memory limit, LIGHTBOOK_KERNEL_MEMORY_MB (default 4096): read where the kernelspec
 * is made (the heap flag, and kernel.json's env) and by the kernel's memory watchdog.
 */
import process from "node:process";

const DEFAULT_MEMORY_MB = 4096;

export function kernelMemoryMb(): number {
  const configured = Number(process.env.LIGHTBOOK_KERNEL_MEMORY_MB);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MEMORY_MB;
}
