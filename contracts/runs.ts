import { z } from "./zod.ts";
import { ALGORITHMS, ALGORITHM_NAMES, isAlgorithmName, paramIssues } from "./algorithms.ts";
import { arrayEnvelope } from "./result-array.ts";

/**
 * Runs: a recipe (a small DAG of steps, like a Zocalo recipe) submitted over REST or by
 * `workflow.map` in a cell. Each step fans out over its input in partitions of `chunk` items;
 * each partition is one task and one queue job. Wire fields are snake_case, as the rest of the API.
 */

const relativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path relative to the data root, without '..'");

const index = z.number().int().min(0);

/** What a step works on. Every kind but `results` is split into items, then into partitions. */
export const stepInput = z.discriminatedUnion("kind", [
  /** Frames start..stop (exclusive) along the first axis of an HDF5 dataset; stop defaults to its length. */
  z.object({ kind: z.literal("frames"), file: relativePath, dataset: z.string().min(1).startsWith("/"), start: index.default(0), stop: index.optional() }),
  /** One item per file, relative to the data root. */
  z.object({ kind: z.literal("files"), files: z.array(relativePath).min(1).max(1_000_000) }),
  /** One item per integer start..stop (exclusive). */
  z.object({ kind: z.literal("range"), start: z.number().int(), stop: z.number().int() }).refine((r) => r.stop > r.start, "stop must be greater than start"),
  /** Explicit JSON items. */
  z.object({ kind: z.literal("items"), items: z.array(z.unknown()).min(1).max(1_000_000) }),
  /** One task whose single item is the ordered list of an earlier step's item results (a reduce). */
  z.object({ kind: z.literal("results"), step: z.string() }),
]);
export type StepInput = z.infer<typeof stepInput>;

const stepId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.', '-' (at most 64)");

export const step = z
  .object({
    id: stepId,
    /** A named algorithm of agent/algorithms.ts … */
    algorithm: z.string().min(1).max(128).optional(),
    /** … or a self-contained JavaScript function, `(item, params, ctx) => result`, as source. */
    source: z.string().min(1).max(1_000_000).optional(),
    /** … or an installed program of the administrator's allow-list (contracts/programs.ts), on each file or folder of a `files` input. */
    program: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "a program name of the allow-list")
      .optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    input: stepInput,
    /** Items per task. */
    chunk: z.number().int().min(1).max(1_000_000).default(1),
    /** Steps whose tasks must all succeed first. */
    after: z.array(stepId).default([]),
    /** Attempts per task before it fails for good (a poison task stops here). */
    max_attempts: z.number().int().min(1).max(25).default(3),
    /** Lower runs first, across runs. */
    priority: z.number().int().min(-1000).max(1000).default(0),
  })
  .refine((s) => [s.algorithm, s.source, s.program].filter((x) => x !== undefined).length === 1, "give exactly one of `algorithm`, `source` and `program`")
  .refine((s) => s.program === undefined || s.input.kind === "files" || s.input.kind === "results", {
    path: ["input"],
    message: 'a program step works on files or folders (input kind "files") or on an earlier program step\'s results (input kind "results")',
  })
  .superRefine((s, ctx) => {
    // A named algorithm's parameters are checked here, so a bad one is refused before any task is queued.
    if (s.algorithm === undefined) return;
    if (!isAlgorithmName(s.algorithm)) {
      ctx.addIssue({
        code: "custom",
        path: ["algorithm"],
        message: `unknown algorithm ${JSON.stringify(s.algorithm)}; agents run ${ALGORITHM_NAMES.join(", ")}`,
      });
      return;
    }
    const r = ALGORITHMS[s.algorithm].params.safeParse(s.params);
    if (!r.success)
      for (const issue of paramIssues(s.algorithm, r.error)) ctx.addIssue({ code: "custom", path: ["params", ...issue.path], message: issue.message });
  });
export type Step = z.infer<typeof step>;

export const recipe = z.object({ steps: z.array(step).min(1).max(64) }).superRefine((r, ctx) => {
  const ids = new Set<string>();
  for (const [i, s] of r.steps.entries()) {
    if (ids.has(s.id)) ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `duplicate step id ${JSON.stringify(s.id)}` });
    ids.add(s.id);
  }
  for (const [i, s] of r.steps.entries()) {
    for (const dep of dependencies(s)) {
      if (!ids.has(dep))
        ctx.addIssue({ code: "custom", path: ["steps", i], message: `step ${JSON.stringify(s.id)} comes after unknown step ${JSON.stringify(dep)}` });
    }
  }
  if (ctx.value.steps.every((s) => ids.has(s.id)) && hasCycle(r.steps)) ctx.addIssue({ code: "custom", path: ["steps"], message: "the steps form a cycle" });
});
export type Recipe = z.infer<typeof recipe>;

/** The steps a step waits for: its `after`, and the step whose results it reduces. */
export function dependencies(s: Step): string[] {
  const deps = new Set(s.after);
  if (s.input.kind === "results") deps.add(s.input.step);
  return [...deps];
}

function hasCycle(steps: Step[]): boolean {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): boolean => {
    if (state.get(id) === "done") return false;
    if (state.get(id) === "visiting") return true;
    state.set(id, "visiting");
    const s = byId.get(id);
    if (s && dependencies(s).some(visit)) return true;
    state.set(id, "done");
    return false;
  };
  return steps.some((s) => visit(s.id));
}

/** Body of POST /api/lightbook/runs. The key may come as the `Idempotency-Key` header instead. */
export const createRunBody = z.object({
  key: z.string().min(1).max(256).optional(),
  name: z.string().max(256).default(""),
  recipe,
  /** An open run stays running and takes appended tasks (POST …/runs/{id}/tasks) until it is closed (POST …/runs/{id}/close). */
  open: z.boolean().default(false),
  /**
   * The proposal the run belongs to (its members see it); the submitter must be a member. Left
   * out: the one proposal the submitting token is scoped to, if any, else the submitter's alone.
   */
  proposal_id: z.uuid().optional(),
});
export type CreateRunBody = z.infer<typeof createRunBody>;

/** The most partitions one append to an open run may make. */
export const MAX_APPENDED_TASKS = 10_000;

/** Body of POST /api/lightbook/runs/{id}/tasks: more input for one of an open run's steps (default: its first), split into partitions by the step's chunk. */
export const appendTasksBody = z.object({
  step: z.string().optional(),
  input: stepInput,
});
export type AppendTasksBody = z.infer<typeof appendTasksBody>;

/** Answer of POST /api/lightbook/runs/{id}/tasks: the partitions made, `first` … `first + count - 1`. */
export const appendedTasks = z.object({ first: z.number().int().min(0), count: z.number().int().min(1) });
export type AppendedTasks = z.infer<typeof appendedTasks>;

/** What one task works on: the partition's items, as the agent receives them. */
export const taskInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("frames"), file: z.string(), dataset: z.string(), start: z.number().int(), stop: z.number().int() }),
  z.object({ kind: z.literal("files"), files: z.array(z.string()) }),
  z.object({ kind: z.literal("range"), start: z.number().int(), stop: z.number().int() }),
  z.object({ kind: z.literal("items"), items: z.array(z.unknown()) }),
  z.object({ kind: z.literal("results"), step: z.string() }),
]);
export type TaskInput = z.infer<typeof taskInput>;

/** The payload of every queue job: which task to run. Everything else is read from Postgres. */
export const jobPayload = z.object({ run_id: z.string().uuid(), partition: z.number().int().min(0) });
export type JobPayload = z.infer<typeof jobPayload>;

export const runState = z.enum(["pending", "running", "succeeded", "failed", "cancelled"]);
export type RunState = z.infer<typeof runState>;
export const taskState = z.enum(["queued", "running", "succeeded", "failed", "cancelled"]);
export type TaskState = z.infer<typeof taskState>;

export const TERMINAL_RUN_STATES: readonly RunState[] = ["succeeded", "failed", "cancelled"];

/** Timestamps on the wire: ISO 8601 strings as Date.toISOString() writes them. */
const timestamp = z.string();
const count = z.number().int().min(0);

export const taskModel = z.object({
  partition: index,
  step: z.string(),
  input: taskInput,
  state: taskState,
  attempt: count,
  max_attempts: count,
  agent_id: z.string().nullable(),
  agent_name: z.string().nullable(),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  error: z.string().nullable(),
});
export type TaskModel = z.infer<typeof taskModel>;

/** GET /api/lightbook/runs/{id} and the list. */
export const runModel = z.object({
  id: z.string(),
  key: z.string().nullable(),
  name: z.string(),
  state: runState,
  /** Takes appended tasks until closed; it does not end before. */
  open: z.boolean(),
  counts: z.object({ total: count, queued: count, running: count, succeeded: count, failed: count, cancelled: count }),
  steps_pending: count,
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  error: z.string().nullable(),
  /** Who submitted it and the proposal it belongs to (null: from before runs had owners, or personal). */
  owner_id: z.string().nullable(),
  proposal_id: z.string().nullable(),
  /** Its proposal's beamline (agents restricted to others skip it), and the data folders its tasks may read ("" is all of it). */
  beamline: z.string().nullable(),
  data_folders: z.array(z.string()),
  recipe: recipe.optional(),
  tasks: z.array(taskModel).optional(),
});
export type RunModel = z.infer<typeof runModel>;

/** One partition's result in GET /api/lightbook/runs/{id}/results. */
export const resultModel = z.object({
  partition: index,
  step: z.string(),
  attempt: count,
  agent_id: z.string().nullable(),
  /** The partition's results, one per item (arrays decoded from their bytes); null when `array` holds them. */
  value: z.unknown(),
  /** With ?binary=1, a typed-array result's bytes (result-array.ts). */
  array: arrayEnvelope.optional(),
  dtype: z.string().nullable(),
  shape: z.array(count),
  sha256: z.string().nullable(),
  size: count,
});
export type ResultModel = z.infer<typeof resultModel>;

/** GET /api/lightbook/runs/{id}/results: a page, and the partition to ask `after` for the next (null: the last page). */
export const resultsPage = z.object({ results: z.array(resultModel), next_after: index.nullable() });
export type ResultsPage = z.infer<typeof resultsPage>;
