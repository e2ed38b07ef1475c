/**
 * The agent's sandbox children for shipped functions. A child runs as its run's account
 * (identity.ts) and may read only its run's data folders, both fixed when the child starts.
 * Starting a Node process costs a third of a second to a second on a loaded machine, against
 * tasks of 20 ms, so:
 *  - a child is reused by later tasks of the same run's step (the same function from the same
 *    user), never by another run, whose code could find what this one left in memory;
 *  - one fresh, unbound child waits as a spare for the account and folders of the last task, so a
 *    run's first task does not wait for Node to start when the same proposal ran just before;
 *  - idle children beyond the agent's slots, or idle for IDLE_MS, are ended.
 * Every task gets a fresh scratch folder as working directory, removed when the task ends.
 * A child whose task was aborted, or that died, is never reused.
 */
import { existsSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../runtime/log.ts";
import { sandboxLaunch, type SandboxLauncher, type UnixIds } from "./launch.ts";
import { SandboxProcess } from "./sandbox-process.ts";

const IDLE_MS = 30_000;

export interface SandboxLease {
  call(item: unknown, params: Record<string, unknown>): Promise<unknown>;
  /** The task ended: its scratch folder goes; the child waits for the step's next task, unless the task was aborted. */
  release(): Promise<void>;
}

/** Whom a child runs as and what it may read: a task's run's account and data folders (of the data root; "" is all of it). */
export interface SandboxIdentity {
  owner: UnixIds | undefined;
  folders: readonly string[];
}

interface Spare {
  who: string;
  proc: Promise<SandboxProcess>;
}

interface Idle {
  key: string;
  proc: SandboxProcess;
  timer: NodeJS.Timeout;
}

export class SandboxPool {
  readonly #launcher: SandboxLauncher;
  /** The data root as the permission model compares paths: through its symlinks. */
  readonly #dataRoot: string;
  readonly #idle: Idle[] = [];
  readonly #all = new Set<SandboxProcess>();
  #spare: Spare | undefined;
  #closed = false;
  readonly #onExit = () => this.#killAll();
  /** Where a child's lines go while no task holds it. */
  readonly #idleLog = (line: string) => this.opts.log.debug({ sandbox: true }, line);

  constructor(private readonly opts: { dataRoot: string; maxIdle: number; user: string; log: Logger }) {
    this.#launcher = sandboxLaunch(opts.user);
    this.#dataRoot = existsSync(opts.dataRoot) ? realpathSync(opts.dataRoot) : opts.dataRoot;
    opts.log.info({ layers: this.#launcher.layers }, "shipped functions run in sandbox processes");
    // The agent exits (process.exit, a crash): its children go with it. A SIGKILLed agent's go by their parent-death signal.
    process.on("exit", this.#onExit);
  }

  /** Whether the agent is root, so that children run as their runs' accounts. */
  get asAccounts(): boolean {
    return this.#launcher.root;
  }

  /** A child bound to `source` for a task of `key` (run and step), with the task's scratch folder. */
  async acquire(key: string, source: string, identity: SandboxIdentity, signal: AbortSignal, log: (line: string) => void): Promise<SandboxLease> {
    signal.throwIfAborted();
    let proc = this.#takeIdle(key);
    if (!proc) {
      const who = `${identity.owner?.uid ?? ""}\0${identity.folders.join("\0")}`;
      // Taken before any await: tasks starting together must not share one spare.
      const spare = this.#spare?.who === who ? this.#spare.proc : undefined;
      if (!spare)
        this.#spare?.proc.then(
          (p) => p.kill(),
          () => undefined,
        );
      const next = spare ?? this.#start(identity);
      this.#spare = undefined;
      this.#refillSpare(who, identity);
      proc = await next;
      proc.log = log;
      try {
        await proc.bind(source, this.#dataRoot, signal);
      } catch (e: unknown) {
        proc.kill();
        throw e;
      }
    }
    proc.log = log;
    const cwd = await proc.scratch();
    const bound = proc;
    return {
      call: (item, params) => bound.call(item, params, cwd, signal),
      release: async () => {
        await rm(cwd, { recursive: true, force: true });
        if (signal.aborted || !bound.alive || this.#closed) bound.kill();
        else this.#park(key, bound);
      },
    };
  }

  /** Ends every child (the agent is stopping). */
  async close(): Promise<void> {
    this.#closed = true;
    process.off("exit", this.#onExit);
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare) this.#all.add(await spare.proc);
    const all = [...this.#all];
    this.#killAll();
    await Promise.all(all.map((p) => p.exited));
  }

  #killAll(): void {
    for (const i of this.#idle) clearTimeout(i.timer);
    this.#idle.length = 0;
    for (const p of this.#all) p.kill();
  }

  async #start(identity: SandboxIdentity): Promise<SandboxProcess> {
    const readable = identity.folders.map((f) => {
      const folder = path.join(this.#dataRoot, f);
      // As the permission model compares paths: through symlinks.
      return existsSync(folder) ? realpathSync(folder) : folder;
    });
    const proc = await SandboxProcess.start(this.#launcher.as(identity.owner), readable, this.#idleLog);
    this.#all.add(proc);
    void proc.exited.then(() => {
      this.#all.delete(proc);
      const i = this.#idle.findIndex((x) => x.proc === proc);
      if (i >= 0) clearTimeout(this.#idle.splice(i, 1)[0]!.timer);
    });
    if (this.#closed) proc.kill();
    return proc;
  }

  #refillSpare(who: string, identity: SandboxIdentity): void {
    if (this.#closed) return;
    const proc = this.#start(identity);
    const spare = { who, proc };
    this.#spare = spare;
    // A spare that fails to start or dies is dropped; the next task starts its own.
    proc.then(
      (p) =>
        void p.exited.then(() => {
          if (this.#spare === spare) this.#spare = undefined;
        }),
      () => {
        if (this.#spare === spare) this.#spare = undefined;
      },
    );
  }

  #takeIdle(key: string): SandboxProcess | undefined {
    const i = this.#idle.findIndex((x) => x.key === key && x.proc.alive);
    if (i < 0) return undefined;
    const [idle] = this.#idle.splice(i, 1);
    clearTimeout(idle!.timer);
    return idle!.proc;
  }

  #park(key: string, proc: SandboxProcess): void {
    proc.log = this.#idleLog;
    const timer = setTimeout(() => {
      const i = this.#idle.findIndex((x) => x.proc === proc);
      if (i >= 0) this.#idle.splice(i, 1);
      proc.kill();
    }, IDLE_MS).unref();
    this.#idle.push({ key, proc, timer });
    while (this.#idle.length > this.opts.maxIdle) {
      const oldest = this.#idle.shift()!;
      clearTimeout(oldest.timer);
      oldest.proc.kill();
    }
  }
}
