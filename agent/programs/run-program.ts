/**
 * Runs one allow-listed program (contracts/programs.ts) on one item of a task: a fresh scratch
 * folder, the item's file or folder copied into `input/` (symbolic links left out, so nothing
 * outside the data root comes along), the entry's support files beside it, then its commands in
 * order, each as sandbox/launch.ts's commandLaunch says (an unprivileged user, no network, its
 * own PID namespace, the data and results roots hidden), with an environment that holds no
 * credentials. stdout and stderr go to the task's full log under the results root as they come,
 * and their tails are kept. Cancelling (the signal) or the entry's time limit kills the process
 * group at once. Declared outputs are read back without following links (the program owns the
 * folder) and kept under the results root, so the task's result is stored once like any other.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants, createWriteStream, accessSync, type WriteStream } from "node:fs";
import { chown, copyFile, cp, lstat, mkdir, mkdtemp, open, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InvalidInputError } from "../../runtime/errors.ts";
import { expandArgs, type ProgramEntry, type ProgramResult } from "../../contracts/programs.ts";
import type { CommandLaunch } from "../sandbox/launch.ts";

/** A command exited non-zero or was killed: its own last words are the message. */
export class ProgramFailedError extends Error {
  override name = "ProgramFailedError";
}

/** How much of stdout and of stderr a result (or a failure's message) quotes. */
const TAIL = 4000;
/** The largest declared JSON output read back. */
const MAX_JSON_BYTES = 16 << 20;
/** Environment variables a program gets from the agent, besides PATH, HOME and TMPDIR. */
const PASSED_ENV = ["LANG", "LC_ALL", "TZ"];
const SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

export interface ProgramContext {
  signal: AbortSignal;
  launch: CommandLaunch;
  resultsRoot: string | undefined;
  /** Where this attempt's files go under the results root: runs/<run>/<partition>/a<attempt>. */
  keep: string;
  log(line: string): void;
}

/** An executable as the agent finds it: absolute paths as given, bare names on the agent's PATH. */
export function findExecutable(exe: string): string {
  const candidates = path.isAbsolute(exe) ? [exe] : (process.env.PATH ?? SAFE_PATH).split(":").map((d) => path.join(d, exe));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new ProgramFailedError(`${exe} is not installed on this agent (not found on its PATH)`);
}

class Tail {
  text = "";
  add(s: string) {
    this.text = (this.text + s).slice(-TAIL);
  }
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) await chown(path.join(e.parentPath, e.name), owner.uid, owner.gid);
}

/** What a program runs on: a file or folder of the data root, or the kept files of earlier program results (a reduce). */
export type ProgramInput = { kind: "path"; path: string; name: string } | { kind: "results"; results: ProgramResult[] };

/** Copies the item into the scratch folder; returns where it is, relative to it (the template's `{input}`). */
async function copyInput(entry: ProgramEntry, item: ProgramInput, scratch: string, resultsRoot: string | undefined): Promise<string> {
  if ((entry.input === "results") !== (item.kind === "results"))
    throw new InvalidInputError(
      `${entry.name} takes ${entry.input === "results" ? 'an earlier step\'s results (input kind "results")' : `a ${entry.input}`} as its input`,
    );
  if (item.kind === "results") {
    if (!resultsRoot) throw new ProgramFailedError(`${entry.name} reads earlier results' files: the agent needs a results root (LIGHTBOOK_RESULTS_ROOT)`);
    for (const [i, r] of item.results.entries()) {
      const dir = path.join(scratch, "input", String(i));
      await mkdir(dir);
      for (const f of r.files) await copyFile(path.join(resultsRoot, f.path), path.join(dir, f.name), constants.COPYFILE_FICLONE);
    }
    return "input";
  }
  const dest = path.join("input", path.basename(item.path));
  await copyTree(entry, item, path.join(scratch, dest));
  return dest;
}

async function copyTree(entry: ProgramEntry, item: { path: string; name: string }, dest: string): Promise<void> {
  const st = await lstat(item.path).catch(() => undefined);
  if (!st) throw new InvalidInputError(`${entry.name}: input ${item.name} does not exist`);
  if (entry.input === "file" ? !st.isFile() : !st.isDirectory())
    throw new InvalidInputError(`${entry.name} takes a ${entry.input} as its input; ${item.name} is not one`);
  if (st.isFile()) await copyFile(item.path, dest, constants.COPYFILE_FICLONE);
  else await cp(item.path, dest, { recursive: true, filter: async (src) => !(await lstat(src)).isSymbolicLink() });
}

/** Reads a file the program wrote, refusing a link (it could point at anything the agent may read). */
async function readOwnFile(file: string, limit: number, label: string): Promise<Buffer> {
  let h;
  try {
    h = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProgramFailedError(code === "ENOENT" ? `${label} was not written` : `${label} is not a regular file (${code})`);
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) throw new ProgramFailedError(`${label} is not a regular file`);
    if (st.size > limit) throw new ProgramFailedError(`${label} is larger than ${limit} bytes`);
    return await h.readFile();
  } finally {
    await h.close();
  }
}

export async function runProgram(
  entry: ProgramEntry,
  params: Record<string, string | number>,
  item: ProgramInput,
  ctx: ProgramContext,
): Promise<ProgramResult> {
  if (entry.outputs.files.length > 0 && !ctx.resultsRoot)
    throw new ProgramFailedError(`${entry.name} declares output files: the agent needs a results root (LIGHTBOOK_RESULTS_ROOT)`);
  const executables = entry.commands.map((c) => findExecutable(c.executable));
  const scratch = await mkdtemp(path.join(os.tmpdir(), "lightbook-program-"));
  const keepDir = ctx.resultsRoot ? path.join(ctx.resultsRoot, ctx.keep) : undefined;
  let log: WriteStream | undefined;
  try {
    await mkdir(path.join(scratch, "input"));
    const input = await copyInput(entry, item, scratch, ctx.resultsRoot);
    for (const s of entry.support) await copyFile(s, path.join(scratch, path.basename(s)));
    if (ctx.launch.owner) await chownTree(scratch, ctx.launch.owner);
    if (keepDir) {
      await mkdir(keepDir, { recursive: true });
      log = createWriteStream(path.join(keepDir, `${entry.name}.log`));
    }
    const env: Record<string, string> = { PATH: SAFE_PATH, HOME: scratch, TMPDIR: scratch };
    // A run's user has no passwd entry (sandbox/identity.ts): Python's getpass and the like read these first.
    if (ctx.launch.owner) env.USER = env.LOGNAME = `run-${ctx.launch.owner.uid}`;
    for (const k of PASSED_ENV) if (process.env[k]) env[k] = process.env[k]!;
    const stdout = new Tail();
    const stderr = new Tail();
    const deadline = Date.now() + entry.time_limit_s * 1000;
    const t0 = performance.now();
    const commands: ProgramResult["commands"] = [];
    for (const [i, c] of entry.commands.entries()) {
      ctx.signal.throwIfAborted();
      const args = expandArgs(c.args, params, input);
      log?.write(`$ ${c.executable} ${args.join(" ")}\n`);
      ctx.log(`${entry.name}: ${c.executable} ${args.join(" ")}`);
      const t = performance.now();
      const code = await runOne(ctx, executables[i]!, args, { cwd: scratch, env, deadline, limitS: entry.time_limit_s, stdout, stderr, log });
      commands.push({ executable: c.executable, exit_code: code, seconds: (performance.now() - t) / 1000 });
      if (code !== 0) {
        const words = (stderr.text.trim() || stdout.text.trim()).split("\n").slice(-8).join("\n");
        throw new ProgramFailedError(`${c.executable} exited with status ${code}${words ? `: ${words}` : ""}`);
      }
    }
    const files: ProgramResult["files"] = [];
    for (const name of entry.outputs.files) {
      const bytes = await readOwnFile(path.join(scratch, name), Number.MAX_SAFE_INTEGER, `output ${name}`);
      const rel = path.join(ctx.keep, name);
      await writeFile(path.join(ctx.resultsRoot!, rel), bytes);
      files.push({ name, path: rel, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    }
    let json: unknown = null;
    if (entry.outputs.json) {
      const bytes = await readOwnFile(path.join(scratch, entry.outputs.json), MAX_JSON_BYTES, `output ${entry.outputs.json}`);
      try {
        json = JSON.parse(bytes.toString("utf8"));
      } catch (e: unknown) {
        throw new ProgramFailedError(`output ${entry.outputs.json} is not JSON: ${(e as Error).message}`);
      }
    }
    return {
      program: entry.name,
      exit_code: 0,
      seconds: (performance.now() - t0) / 1000,
      commands,
      stdout_tail: stdout.text,
      stderr_tail: stderr.text,
      log: keepDir ? path.join(ctx.keep, `${entry.name}.log`) : null,
      files,
      json,
    };
  } finally {
    const l = log;
    if (l) await new Promise((r) => l.end(r));
    await rm(scratch, { recursive: true, force: true });
  }
}

interface RunOneOptions {
  cwd: string;
  env: Record<string, string>;
  deadline: number;
  limitS: number;
  stdout: Tail;
  stderr: Tail;
  log: WriteStream | undefined;
}

/** One command to its end: its exit status, or a rejection when it was cancelled or ran out of time. */
function runOne(ctx: ProgramContext, exe: string, args: string[], o: RunOneOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const [command, argv] = ctx.launch.argv(exe, args);
    // Its own process group (detached), so one kill reaches everything it started.
    const child = spawn(command, argv, { cwd: o.cwd, env: o.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stopped: unknown;
    const kill = (why: unknown) => {
      stopped ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => kill(ctx.signal.reason);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => kill(new ProgramFailedError(`${path.basename(exe)} ran past its time limit of ${o.limitS} s and was killed`)),
      Math.max(0, o.deadline - Date.now()),
    );
    for (const [stream, tail] of [
      [child.stdout, o.stdout],
      [child.stderr, o.stderr],
    ] as const) {
      stream.setEncoding("utf8");
      stream.on("data", (d: string) => {
        tail.add(d);
        o.log?.write(d);
      });
    }
    child.on("error", (e) => {
      stopped ??= new ProgramFailedError(`${exe} could not start: ${e.message}`);
    });
    // 'close': its output has been read to the end.
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      if (stopped !== undefined) reject(stopped);
      else resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1));
    });
  });
}
