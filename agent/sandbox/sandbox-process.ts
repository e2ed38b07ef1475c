/**
 * One sandbox child (child.ts), started as launch.ts says, bound to one step's shipped function,
 * asked one item at a time. Its messages are checked against the contract (the shipped code can
 * send its own); aborting a call kills the child's process group at once, so a cancelled task's
 * function stops mid-loop and its result never reaches the agent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chown, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fromSandbox, type FromSandbox, type ToSandbox } from "../../contracts/sandbox.ts";
import type { SandboxLaunch } from "./launch.ts";

/** The function's source does not compile, or is not a function. */
export class SourceFunctionError extends Error {
  override name = "SourceFunctionError";
}

/** The child ended (killed, out of memory, process.exit) or broke the protocol while a call was open. */
export class SandboxExitError extends Error {
  override name = "SandboxExitError";
}

/** Environment variables a child gets from the agent: locale, time zone, malloc tuning (frames); nothing else. */
const PASSED_ENV = ["LANG", "LC_ALL", "TZ", "GLIBC_TUNABLES"];
/** How much of the child's stderr an exit error quotes (Node's fatal errors, e.g. "Reached heap limit"). */
const STDERR_TAIL = 2000;

export class SandboxProcess {
  #pending: { resolve: (m: FromSandbox) => void; reject: (e: unknown) => void } | undefined;
  #ended: string | undefined;
  #stderr = "";
  #nextId = 0;
  #tasks = 0;
  /** Where the child's console output goes: the current task's log. */
  log: (line: string) => void;
  /** Resolves once the child has exited and its folder is removed. */
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The child's own folder (HOME, TMPDIR, and the parent of its tasks' scratch folders). */
    private readonly base: string,
    private readonly launch: SandboxLaunch,
    log: (line: string) => void,
  ) {
    this.log = log;
    for (const [stream, isErr] of [
      [child.stdout!, false],
      [child.stderr!, true],
    ] as const) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => {
        if (isErr) this.#stderr = (this.#stderr + line + "\n").slice(-STDERR_TAIL);
        this.log(line);
      });
    }
    child.on("message", (raw: unknown) => {
      const m = fromSandbox.safeParse(raw);
      if (!m.success || !this.#pending) this.#breach("the function's process sent a message outside the protocol");
      else this.#pending.resolve(m.data);
    });
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': its stderr has been read to the end by then.
      child.on("close", (code, signal) => {
        this.#ended ??= signal === "SIGKILL" ? "it was killed (SIGKILL: out of memory?)" : signal ? `it was ended by ${signal}` : `it exited with code ${code}`;
        const tail = this.#stderr.trim().split("\n").slice(-3).join(" | ");
        this.#pending?.reject(
          new SandboxExitError(`the shipped function's process ended before answering: ${this.#ended}${tail ? `; its last output: ${tail}` : ""}`),
        );
        void rm(base, { recursive: true, force: true }).then(resolve, resolve);
      });
    });
    // spawn() failing (no such command) comes as 'error', possibly without 'exit'.
    child.on("error", (e) => {
      this.#ended ??= `it could not start: ${e.message}`;
      this.#pending?.reject(new SandboxExitError(`the shipped function's process could not start: ${e.message}`));
    });
  }

  /** `readable`: the folders the child may read besides its own (its run's data folders, real paths). */
  static async start(launch: SandboxLaunch, readable: string[], log: (line: string) => void): Promise<SandboxProcess> {
    const base = await mkdtemp(path.join(os.tmpdir(), "lightbook-sandbox-"));
    if (launch.owner) await chown(base, launch.owner.uid, launch.owner.gid);
    const env: Record<string, string> = { HOME: base, TMPDIR: base };
    for (const k of PASSED_ENV) if (process.env[k]) env[k] = process.env[k]!;
    const child = spawn(launch.command, [...launch.prefix, ...launch.nodeArgs([...readable, base], base)], {
      cwd: base,
      env,
      // Its own process group, so a kill reaches anything it might have started.
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      ...launch.spawnAs,
    });
    return new SandboxProcess(child, base, launch, log);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.#ended === undefined;
  }

  /** Compiles the step's function in the child. */
  async bind(source: string, dataRoot: string, signal: AbortSignal): Promise<void> {
    const m = await this.#request({ kind: "init", source, dataRoot }, signal);
    if (m.kind === "error" && m.id === undefined) throw new SourceFunctionError(m.message);
    if (m.kind !== "ready") throw this.#breach("the function's process answered its start with something else");
  }

  /** A fresh scratch folder for one task (the child's working directory while it runs). */
  async scratch(): Promise<string> {
    const dir = path.join(this.base, `task-${++this.#tasks}`);
    await mkdir(dir, { mode: 0o700 });
    if (this.launch.owner) await chown(dir, this.launch.owner.uid, this.launch.owner.gid);
    return dir;
  }

  async call(item: unknown, params: Record<string, unknown>, cwd: string, signal: AbortSignal): Promise<unknown> {
    const id = ++this.#nextId;
    const m = await this.#request({ kind: "call", id, item, params, cwd }, signal);
    if (m.kind === "ready" || m.id !== id) throw this.#breach("the function's process answered another call");
    if (m.kind === "result") return m.value;
    const err = new Error(m.message);
    err.name = m.name;
    if (m.stack !== undefined) err.stack = m.stack;
    throw err;
  }

  /** SIGKILL to the child's process group (it cannot catch it, not even in a synchronous loop). */
  kill(): void {
    if (this.#ended !== undefined || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }

  #request(message: ToSandbox, signal: AbortSignal): Promise<FromSandbox> {
    return new Promise((resolve, reject) => {
      if (this.#ended !== undefined) return reject(new SandboxExitError(`the shipped function's process has ended: ${this.#ended}`));
      if (this.#pending) return reject(new Error("a sandbox process serves one task, one call at a time"));
      const onAbort = () => {
        this.kill();
        settle();
        reject(signal.reason);
      };
      const settle = () => {
        this.#pending = undefined;
        signal.removeEventListener("abort", onAbort);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#pending = {
        resolve: (m) => {
          settle();
          resolve(m);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      this.child.send(message, (e) => {
        if (e) this.#pending?.reject(new SandboxExitError(`the shipped function's process could not be reached: ${e.message}`));
      });
    });
  }

  /** Ends a child that broke the protocol; the open call fails with the returned error. */
  #breach(why: string): SandboxExitError {
    this.kill();
    this.#ended ??= why;
    const err = new SandboxExitError(`the shipped function's process was ended: ${why}`);
    this.#pending?.reject(err);
    return err;
  }
}
