import { writeSync } from "node:fs";

/**
 * Kernel diagnostics, written straight to file descriptor 2: while cells run, process.stderr is
 * redirected into the notebook, and these lines belong in the server's log instead.
 */
export function log(message: string): void {
  try {
    writeSync(2, `[lightbook-kernel ${new Date().toISOString()}] ${message}\n`);
  } catch {
    // A full non-blocking stderr pipe (EAGAIN) must not take the kernel down over a log line.
  }
}
