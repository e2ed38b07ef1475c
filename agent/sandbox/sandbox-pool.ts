/**
 * The agent's sandbox children for shipped functions. Starting a Node process costs a third of a
 * second to a second on a loaded machine, against tasks of 20 ms, so:
 *  - a child is reused by later tasks of the same run's step (the same function from the same
 *    user), never by another run, whose code could find what this one left in memory;
 *  - one fresh, unbound child waits as a spare, so a run's first task does not wait for Node to start;
 *  - idle children beyond the agent's slots, or idle for IDLE_MS, are ended.
 * Every task gets a fresh scratch folder as working directory, removed when the task ends.
 * A child whose task was aborted, or that died, is never reused.
 */
import { existsSync, realpathSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Logger } from "../../runtime/log.ts";
import { sandboxLaunch, type SandboxLaunch } from "./launch.ts";
import { SandboxProcess } from "./sandbox-process.ts";

const IDLE_MS = 30_000;

export interface SandboxLease {
  call(item: unknown, params: Record<string, unknown>): Promise<unknown>;
  /** The task ended: its scratch folder goes; the child waits for the step's next task, unless the task was aborted. */
  release(): Promise<void>;
}

interface Idle {
  key: string;
  proc: SandboxProcess;
  timer: NodeJS.Timeout;
}

export class SandboxPool {
  readonly #launch: SandboxLaunch;
  /** The data root as the permission model compares paths: through its symlinks. */
  readonly #dataRoot: string;
  readonly #idle: Idle[] = [];
  readonly #all = new Set<SandboxProcess>();
  #spare: Promise<SandboxProcess> | undefined;
  #closed = false;
  readonly #onExit = () => this.#killAll();
  /** Where a child's lines go while no task holds it. */
  readonly #idleLog = (line: string) => this.opts.log.debug({ sandbox: true }, line);

  constructor(private readonly opts: { dataRoot: string; maxIdle: number; user: string; log: Logger }) {
    this.#launch = sandboxLaunch(opts.user);
    this.#dataRoot = existsSync(opts.dataRoot) ? realpathSync(opts.dataRoot) : opts.dataRoot;
    opts.log.info({ layers: this.#launch.layers }, "shipped functions run in sandbox processes");
    // The agent exits (process.exit, a crash): its children go with it. A SIGKILLed agent's go by their parent-death signal.
    process.on("exit", this.#onExit);
  }

  /** A child bound to `source` for a task of `key` (run and step), with the task's scratch folder. */
  async acquire(key: string, source: string, signal: AbortSignal, log: (line: string) => void): Promise<SandboxLease> {
    signal.throwIfAborted();
    let proc = this.#takeIdle(key);
    if (!proc) {
      // Taken before any await: tasks starting together must not share one spare.
      const next = this.#spare ?? this.#start();
      this.#spare = undefined;
      this.#refillSpare();
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
    if (spare) this.#all.add(await spare);
    const all = [...this.#all];
    this.#killAll();
    await Promise.all(all.map((p) => p.exited));
  }

  #killAll(): void {
    for (const i of this.#idle) clearTimeout(i.timer);
    this.#idle.length = 0;
    for (const p of this.#all) p.kill();
  }

  async #start(): Promise<SandboxProcess> {
    const proc = await SandboxProcess.start(this.#launch, this.#dataRoot, this.#idleLog);
    this.#all.add(proc);
    void proc.exited.then(() => {
      this.#all.delete(proc);
      const i = this.#idle.findIndex((x) => x.proc === proc);
      if (i >= 0) clearTimeout(this.#idle.splice(i, 1)[0]!.timer);
    });
    if (this.#closed) proc.kill();
    return proc;
  }

  #refillSpare(): void {
    if (this.#closed) return;
    const spare = this.#start();
    this.#spare = spare;
    // A spare that fails to start or dies is dropped; the next task starts its own.
    spare.then(
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
