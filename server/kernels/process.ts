import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** How much of the end of a kernel's log explains a failed start. */
const STDERR_TAIL_BYTES = 4096;
const STDERR_LINES = 20;
/** How often a kernel this server did not start (one it reattached) is checked for its exit. */
const ADOPTED_POLL_MS = 500;

export interface KernelProcess {
  pid: number;
  /** Its process group: kernels lead their own, so that they outlive the server's exit. */
  pgid: number;
  /** The last lines the process wrote on stderr (its log file in the runtime dir). */
  stderrTail(): Promise<string>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole group (the kernel and anything its cells started). */
  killGroup(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The server's environment as kernels get it: without the database's URL and password, the
 * server's token and the single sign-on client secret. Cells are any user's code; they reach
 * Lightbook through its REST API with their kernel's own token (server/kernels/tokens.ts).
 */
export function kernelBaseEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, PGPASSWORD: _password, JPY_PARENT_PID: _parent, LIGHTBOOK_TOKEN: _token, LIGHTBOOK_OIDC_CLIENT_SECRET: _secret, ...rest } = env;
  return rest;
}

export async function removeKernelFiles(connectionFile: string, logFile: string): Promise<void> {
  await Promise.all([rm(connectionFile, { force: true }), rm(logFile, { force: true })]);
}

async function tailOf(logFile: string): Promise<string> {
  try {
    const file = await open(logFile, "r");
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - STDERR_TAIL_BYTES);
      const { buffer, bytesRead } = await file.read(Buffer.alloc(size - start), 0, size - start, start);
      return buffer.subarray(0, bytesRead).toString("utf8").split("\n").filter(Boolean).slice(-STDERR_LINES).join("\n");
    } finally {
      await file.close();
    }
  } catch {
    return "";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Spawns a kernel from its kernelspec argv, `{connection_file}` substituted, as Jupyter does, but
 * detached (its own process group) with stderr to a log file rather than a pipe: the kernel must
 * survive the server's exit, SIGKILL included, and a pipe whose reader is gone fails its writes.
 */
export function spawnKernel(argv: readonly string[], connectionFile: string, logFile: string, env: NodeJS.ProcessEnv, cwd: string): KernelProcess {
  const [cmd, ...args] = argv.map((a) => a.replace("{connection_file}", connectionFile));
  const log = openSync(logFile, "a", 0o600);
  const child = spawn(cmd!, args, { cwd, env, stdio: ["ignore", "ignore", log], detached: true });
  closeSync(log);
  // The server's own exit does not wait for its kernels.
  child.unref();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: null, signal: null }));
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    pgid: pid,
    stderrTail: () => tailOf(logFile),
    signal: (signal) => void child.kill(signal),
    killGroup: () => (pid > 0 ? signalGroup(pid, "SIGKILL") : undefined),
    exited,
  };
}

/**
 * Whether `pid` runs (not a zombie: this machine's init does not reap orphans) in process group
 * `pgid`, which also tells a recycled pid from the kernel that had it.
 */
export function processRuns(pid: number, pgid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return state !== "Z" && state !== "X" && Number(pgrp) === pgid;
  } catch {
    return false;
  }
}

/** A kernel a previous server started: not this process's child, so its exit is polled. */
export function adoptKernel(pid: number, pgid: number, logFile: string): KernelProcess {
  const exited = (async () => {
    while (processRuns(pid, pgid)) await sleep(ADOPTED_POLL_MS, undefined, { ref: false });
    return { code: null, signal: null };
  })();
  return {
    pid,
    pgid,
    stderrTail: () => tailOf(logFile),
    signal: (signal) => {
      if (processRuns(pid, pgid)) process.kill(pid, signal);
    },
    killGroup: () => signalGroup(pgid, "SIGKILL"),
    exited,
  };
}
