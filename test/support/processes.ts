import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** Pids of processes matching pgrep's arguments (none: []). */
export function pgrep(...args: string[]): number[] {
  try {
    return execFileSync("pgrep", args, { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Running, not a zombie: an orphan's exit is reaped only if the machine's init reaps. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export async function waitUntil(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !done(); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
  }
}

/** A process's environment, from /proc. */
export function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** The TCP sockets (IPv4 and IPv6) that `pid` holds open, as "address:port state" lines of /proc/net. */
export function tcpSocketsOf(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`));
    if (m) inodes.add(m[1]!);
  }
  const held: string[] = [];
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9]!)) held.push(`${table} ${f[1]} state ${f[3]}`);
    }
  }
  return held;
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return ""; // closed in the meantime
  }
}
