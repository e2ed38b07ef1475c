/**
 * A CPU bound per user for isolated kernels (issue 13, item 4): all of one account's kernels share
 * `cpus` cores' worth of time, through cgroup v2's `cpu.max` where the host has the cpu controller in
 * the unified hierarchy, else cgroup v1's CFS quota (this host). rlimits cannot bound a rate
 * (RLIMIT_CPU kills a process after so many CPU seconds), so a host with neither, or a container
 * whose cgroups are read-only, has no CPU bound, and says so once.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";
const GROUP = "lightbook-kernels";
const PERIOD_US = 100_000;

/** Where one account's kernels are bounded: the file a kernel's process joins through. */
export interface CpuGroup {
  procs: string;
  /** The group's folder (its cpu.stat tells how often it was throttled). */
  dir: string;
}

export interface CpuLimiter {
  /** "cgroup v2", "cgroup v1" or null (no bound on this host). */
  kind: string | null;
  /** The account's group, made (or its quota set again) now; null when there is no bound. */
  group(account: string): Promise<CpuGroup | null>;
}

/** The argv prefix that moves the kernel's process into the group before it runs anything (as root, before setpriv). */
export function joinGroup(g: CpuGroup): string[] {
  return ["sh", "-c", 'echo $$ > "$1" && shift && exec "$@"', "lightbook-cpu", g.procs];
}

export async function cpuLimiter(cpus: number): Promise<CpuLimiter & { why?: string }> {
  const quota = Math.max(1000, Math.round(cpus * PERIOD_US));
  const v2 = path.join(CGROUP_ROOT, "cgroup.controllers");
  const v1 = path.join(CGROUP_ROOT, "cpu");
  try {
    if (existsSync(v2) && (await readFile(v2, "utf8")).split(/\s+/).includes("cpu")) {
      const base = path.join(CGROUP_ROOT, GROUP);
      await writeFile(path.join(CGROUP_ROOT, "cgroup.subtree_control"), "+cpu");
      await mkdir(base, { recursive: true });
      await writeFile(path.join(base, "cgroup.subtree_control"), "+cpu");
      return limiter("cgroup v2", base, (dir) => writeFile(path.join(dir, "cpu.max"), `${quota} ${PERIOD_US}`));
    }
    if (existsSync(path.join(v1, "cpu.cfs_quota_us"))) {
      const base = path.join(v1, GROUP);
      await mkdir(base, { recursive: true });
      return limiter("cgroup v1", base, async (dir) => {
        await writeFile(path.join(dir, "cpu.cfs_period_us"), String(PERIOD_US));
        await writeFile(path.join(dir, "cpu.cfs_quota_us"), String(quota));
      });
    }
    return { kind: null, group: async () => null, why: "the host has no cgroup cpu controller" };
  } catch (e: unknown) {
    return { kind: null, group: async () => null, why: `its cgroups cannot be written here (${(e as Error).message})` };
  }
}

function limiter(kind: string, base: string, setQuota: (dir: string) => Promise<void>): CpuLimiter {
  return {
    kind,
    group: async (account) => {
      const dir = path.join(base, account);
      await mkdir(dir, { recursive: true });
      await setQuota(dir);
      return { procs: path.join(dir, "cgroup.procs"), dir };
    },
  };
}
