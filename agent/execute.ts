/**
 * Runs one task on an agent: turns the task's input into items (frames are read from HDF5 here,
 * by the agent), applies the step's algorithm or shipped function to each in order, and returns
 * their results. Shipped functions run in a sandbox child process (sandbox/), items and results
 * passed over IPC; the agent stores the results.
 */
import type { Step, TaskInput } from "../contracts/runs.ts";
import { resolveDataPath } from "../analysis/data-root.ts";
import { algorithm, type Algorithm, type AlgorithmContext } from "./algorithms.ts";
import { FrameReader } from "./h5-frames.ts";
import type { SandboxLease, SandboxPool } from "./sandbox/sandbox-pool.ts";
import { allowedProgram, programParams, type Programs } from "../queue/programs.ts";
import type { CommandLauncher, UnixIds } from "./sandbox/launch.ts";
import { ProgramFailedError, runProgram, type ProgramInput } from "./programs/run-program.ts";
import { programResult } from "../contracts/programs.ts";
import { parseContract } from "../contracts/parse.ts";

export interface ExecuteContext {
  signal: AbortSignal;
  dataRoot: string;
  /** The run's data folders (of the data root; "" is all of it): what its tasks may read. */
  dataFolders: readonly string[];
  /** The Unix user the run's shipped code and programs run as (an agent that is root; identity.ts). */
  owner: UnixIds | undefined;
  /** The task's run: with the step, which sandbox child a shipped function may reuse. */
  runId: string;
  sandbox: SandboxPool;
  /** The agent's allow-list and how it starts programs (program steps). */
  programs: { list: Programs; launch: CommandLauncher; tags: string[] };
  /** Where a program step's files go under the results root: runs/<run>/<partition>/a<attempt>. */
  keep: string;
  resultsRoot: string | undefined;
  /** The ordered item results of an earlier step of the same run (for `results` inputs). */
  stepResults(step: string): Promise<unknown[]>;
  log(line: string): void;
}

export async function executeTask(
  step: Pick<Step, "id" | "algorithm" | "source" | "program" | "params">,
  input: TaskInput,
  ctx: ExecuteContext,
): Promise<unknown[]> {
  let lease: SandboxLease | undefined;
  let fn: Algorithm;
  if (step.algorithm !== undefined) fn = algorithm(step.algorithm);
  else if (step.program !== undefined) {
    // The agent's own allow-list decides what runs, whatever the recipe stored in the run says.
    const entry = allowedProgram(ctx.programs.list, step.program);
    const values = programParams(entry, step.params);
    const missing = entry.tags.filter((t) => !ctx.programs.tags.includes(t));
    if (missing.length) throw new ProgramFailedError(`this agent does not offer ${entry.name}: it lacks the tag(s) ${missing.join(", ")}`);
    const launch = ctx.programs.launch.as(ctx.owner);
    fn = (item) =>
      runProgram(entry, values, programInput(item), {
        signal: ctx.signal,
        launch,
        resultsRoot: ctx.resultsRoot,
        keep: ctx.keep,
        log: ctx.log,
      });
  } else {
    const identity = { owner: ctx.owner, folders: ctx.dataFolders };
    const l = (lease = await ctx.sandbox.acquire(`${ctx.runId}\0${step.id}`, step.source!, identity, ctx.signal, ctx.log));
    fn = (item, params) => l.call(item, params);
  }
  try {
    return await applyAll(fn, step.params, input, ctx);
  } finally {
    await lease?.release();
  }
}

/** A program's item: a file or folder (input kind "files"), or an earlier program step's results (a reduce). */
function programInput(item: unknown): ProgramInput {
  if (Array.isArray(item))
    return { kind: "results", results: item.map((r, i) => parseContract(programResult, r, `result ${i} of the step this program reduces`)) };
  return { kind: "path", ...(item as { path: string; name: string }) };
}

async function applyAll(fn: Algorithm, params: Record<string, unknown>, input: TaskInput, ctx: ExecuteContext): Promise<unknown[]> {
  const actx: AlgorithmContext = { signal: ctx.signal, dataRoot: ctx.dataRoot };
  const results: unknown[] = [];
  const apply = async (item: unknown) => {
    ctx.signal.throwIfAborted();
    results.push(await fn(item, params, actx));
  };
  switch (input.kind) {
    case "frames": {
      const reader = new FrameReader(ctx.dataRoot, ctx.dataFolders);
      try {
        for (let i = input.start; i < input.stop; i++) await apply(await reader.read(input.file, input.dataset, i));
      } finally {
        reader.close();
      }
      break;
    }
    case "files":
      // The server checked these paths at submission; a symlink changed since is caught here.
      for (const f of input.files) await apply({ path: resolveDataPath(f, { root: ctx.dataRoot, mustExist: false, folders: ctx.dataFolders }), name: f });
      break;
    case "range":
      for (let i = input.start; i < input.stop; i++) await apply(i);
      break;
    case "items":
      for (const item of input.items) await apply(item);
      break;
    case "results":
      await apply(await ctx.stepResults(input.step));
      break;
  }
  return results;
}
