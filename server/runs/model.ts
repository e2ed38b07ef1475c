import { z } from "zod";
import type { ArrayEnvelope } from "./result-codec.ts";

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
    /** A named algorithm of kernel/workflow/algorithms.ts … */
    algorithm: z.string().min(1).max(128).optional(),
    /** … or a self-contained JavaScript function, `(item, params, ctx) => result`, as source. */
    source: z.string().min(1).max(1_000_000).optional(),
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
  .refine((s) => (s.algorithm === undefined) !== (s.source === undefined), "give exactly one of `algorithm` and `source`");
export type Step = z.infer<typeof step>;

export const recipe = z
  .object({ steps: z.array(step).min(1).max(64) })
  .superRefine((r, ctx) => {
    const ids = new Set<string>();
    for (const [i, s] of r.steps.entries()) {
      if (ids.has(s.id)) ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `duplicate step id ${JSON.stringify(s.id)}` });
      ids.add(s.id);
    }
    for (const [i, s] of r.steps.entries()) {
      for (const dep of dependencies(s)) {
        if (!ids.has(dep)) ctx.addIssue({ code: "custom", path: ["steps", i], message: `step ${JSON.stringify(s.id)} comes after unknown step ${JSON.stringify(dep)}` });
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
});
export type CreateRunBody = z.infer<typeof createRunBody>;

/** What one task works on: the partition's items, as the agent receives them. */
export type TaskInput =
  | { kind: "frames"; file: string; dataset: string; start: number; stop: number }
  | { kind: "files"; files: string[] }
  | { kind: "range"; start: number; stop: number }
  | { kind: "items"; items: unknown[] }
  | { kind: "results"; step: string };

export const taskInput: z.ZodType<TaskInput> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("frames"), file: z.string(), dataset: z.string(), start: z.number().int(), stop: z.number().int() }),
  z.object({ kind: z.literal("files"), files: z.array(z.string()) }),
  z.object({ kind: z.literal("range"), start: z.number().int(), stop: z.number().int() }),
  z.object({ kind: z.literal("items"), items: z.array(z.unknown()) }),
  z.object({ kind: z.literal("results"), step: z.string() }),
]);

/** The payload of every queue job: which task to run. Everything else is read from Postgres. */
export const jobPayload = z.object({ run_id: z.string().uuid(), partition: z.number().int().min(0) });
export type JobPayload = z.infer<typeof jobPayload>;

export type RunState = "pending" | "running" | "succeeded" | "failed" | "cancelled";
export type TaskState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_RUN_STATES: readonly RunState[] = ["succeeded", "failed", "cancelled"];

/** GET /api/lightbook/runs/{id} and the list. */
export interface RunModel {
  id: string;
  key: string | null;
  name: string;
  state: RunState;
  counts: { total: number; queued: number; running: number; succeeded: number; failed: number; cancelled: number };
  steps_pending: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  recipe?: Recipe;
  tasks?: TaskModel[];
}

export interface TaskModel {
  partition: number;
  step: string;
  input: TaskInput;
  state: TaskState;
  attempt: number;
  max_attempts: number;
  agent_id: string | null;
  agent_name: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

/** One partition's result in GET /api/lightbook/runs/{id}/results. */
export interface ResultModel {
  partition: number;
  step: string;
  attempt: number;
  agent_id: string | null;
  /** The partition's results, one per item (arrays decoded from their bytes); null when `array` holds them. */
  value: unknown;
  /** With ?binary=1, a typed-array result's bytes (result-codec.ts). */
  array?: ArrayEnvelope;
  dtype: string | null;
  shape: number[];
  sha256: string | null;
  size: number;
}
