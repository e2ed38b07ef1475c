import { execFile } from "node:child_process";
import { chmod, chown, lstat, mkdir, readdir, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { coerceError } from "../../runtime/errors.ts";
import { joinGroup, type CpuLimiter } from "./cpu-limit.ts";

const run = promisify(execFile);

/**
 * Where and as whom one kernel process runs: what goes before its kernelspec's argv, its working
 * directory, what its environment adds, and where its connection file lives (the kernel reads it).
 */
export interface KernelPlacement {
  argvPrefix: string[];
  cwd: string;
  env: Record<string, string>;
  connectionFile: string;
  /** Makes a file the server wrote (the connection file) the kernel's to read. */
  handOver(file: string): Promise<void>;
}

/**
 * Decides where a user's kernel runs (as Jupyter's kernel provisioners do, jupyter_client 7): on this
 * machine as the server's own user (`LocalProvisioner`), or as the owner's own Unix account
 * (`UnixUserProvisioner`). A container provisioner (Podman, Kubernetes) is one more implementation:
 * it starts the kernel image with the connection file mounted and answers the same placement.
 */
export interface KernelProvisioner {
  place(kernelId: string, ownerId: string | null): Promise<KernelPlacement>;
}

/** Kernels as the server's own user, in the project folder (one user, or a trusted group). */
export class LocalProvisioner implements KernelProvisioner {
  constructor(
    private readonly runtimeDir: string,
    private readonly cwd: string,
  ) {}

  async place(kernelId: string): Promise<KernelPlacement> {
    return { argvPrefix: [], cwd: this.cwd, env: {}, connectionFile: path.join(this.runtimeDir, `kernel-${kernelId}.json`), handOver: async () => undefined };
  }
}

export interface KernelLimits {
  /** RLIMIT_DATA: what the kernel may map writable (V8's code-range reservations count, so it sits well above its heap). */
  memoryBytes: number;
  /** RLIMIT_NPROC: processes and threads of the account, all its kernels together. */
  processes: number;
  openFiles: number;
  /** Cores' worth of CPU time all of one user's kernels share (cpu-limit.ts). */
  cpus: number;
}

/** The Unix account of a Lightbook user: from the id, so that a renamed user keeps theirs, and any username fits. */
export function kernelAccountOf(userId: string): string {
  return `lbk-${userId.replace(/-/g, "").slice(0, 16)}`;
}

interface Account {
  uid: number;
  gid: number;
  home: string;
}

/**
 * Each user's kernels run as their own Unix account (issue 13, item 4), created on demand
 * (`useradd --system`, no login shell), in a home under `homesRoot` that only they can read, with
 * rlimits on memory, processes and open files, and all of a user's kernels in one CPU-bounded
 * cgroup (v2, or v1 as on this host; cpu-limit.ts). The server must be root; `setpriv` changes the user and drops every
 * group. Imports of cells resolve from the home: its `node_modules` leads to the project's
 * packages and to `lightbook` itself, read-only.
 */
export class UnixUserProvisioner implements KernelProvisioner {
  private readonly accounts = new Map<string, Promise<Account>>();
  private modules: Promise<string> | undefined;

  constructor(
    private readonly homesRoot: string,
    private readonly projectRoot: string,
    private readonly limits: KernelLimits,
    private readonly cpu: CpuLimiter,
  ) {}

  async place(kernelId: string, ownerId: string | null): Promise<KernelPlacement> {
    // A kernel from before ownership has no user: it runs as nobody's, with the same walls.
    const name = kernelAccountOf(ownerId ?? "00000000-0000-0000-0000-000000000000");
    let account = this.accounts.get(name);
    if (!account) {
      account = this.account(name);
      this.accounts.set(name, account);
      account.catch(() => this.accounts.delete(name));
    }
    const { uid, gid, home } = await account;
    const runtime = path.join(home, ".lightbook");
    await mkdir(runtime, { recursive: true, mode: 0o700 });
    await chown(runtime, uid, gid);
    const { memoryBytes, processes, openFiles } = this.limits;
    const cpu = await this.cpu.group(name);
    return {
      argvPrefix: [
        ...(cpu ? joinGroup(cpu) : []),
        "prlimit",
        `--data=${memoryBytes}`,
        `--nproc=${processes}`,
        `--nofile=${openFiles}`,
        "--",
        "setpriv",
        "--reuid",
        String(uid),
        "--regid",
        String(gid),
        "--clear-groups",
        "--",
      ],
      cwd: home,
      env: { HOME: home, USER: name, LOGNAME: name },
      connectionFile: path.join(runtime, `kernel-${kernelId}.json`),
      handOver: (file) => chown(file, uid, gid),
    };
  }

  private async account(name: string): Promise<Account> {
    const home = path.join(this.homesRoot, name);
    let entry = await passwdEntry(name);
    if (!entry) {
      try {
        await run("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", name]);
      } catch (e: unknown) {
        throw new Error(`could not create the kernel account ${name} (LIGHTBOOK_KERNEL_ISOLATION=users needs root and useradd): ${coerceError(e).message}`, {
          cause: e,
        });
      }
      entry = await passwdEntry(name);
      if (!entry) throw new Error(`useradd made no account ${name}`);
    }
    await mkdir(this.homesRoot, { recursive: true });
    // Others may pass through to their own home, not list whose homes there are.
    await chmod(this.homesRoot, 0o711);
    await mkdir(home, { recursive: true, mode: 0o700 });
    await chown(home, entry.uid, entry.gid);
    await chmod(home, 0o700);
    const modules = path.join(home, "node_modules");
    if (!(await exists(modules))) await symlink(await this.sharedModules(), modules);
    return { ...entry, home };
  }

  /** One folder of links, made once per server: every package of the project, and the project as `lightbook`. */
  private sharedModules(): Promise<string> {
    this.modules ??= (async () => {
      const dir = path.join(this.homesRoot, ".node_modules");
      await mkdir(dir, { recursive: true, mode: 0o755 });
      const source = path.join(this.projectRoot, "node_modules");
      const names = (await readdir(source)).filter((n) => n !== ".bin" && n !== ".package-lock.json");
      for (const [name, target] of [...names.map((n) => [n, path.join(source, n)]), ["lightbook", this.projectRoot]] as const) {
        const link = path.join(dir, name);
        if (!(await exists(link))) await symlink(target, link);
      }
      return dir;
    })();
    return this.modules;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function passwdEntry(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const { stdout } = await run("getent", ["passwd", name]);
    const [, , uid, gid] = stdout.trim().split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}
