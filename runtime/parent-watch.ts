/**
 * Ends the kernel when the process that started it is gone (the server was killed, not stopped),
 * so kernels are not left running unowned; ipykernel's ParentPoller does the same. Jupyter clients
 * name the parent in JPY_PARENT_PID; otherwise the parent at start is taken.
 */
const POLL_MS = 1000;

export function exitWithParent(onOrphaned: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID) || process.ppid;
  const timer = setInterval(() => {
    // Reparented (to init or a subreaper): the parent exited.
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, POLL_MS);
  timer.unref();
}
