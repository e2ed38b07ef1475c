/**
 * The queue task every job runs: take the task (its attempt goes up), run its step on its
 * items, and store the result exactly once, fenced by the attempt. A result refused by the fence
 * (a newer attempt owns the task) throws, so the queue does not complete a job that another
 * agent may now hold.
 *
 * The agent runs more jobs than it has compute slots: a job holds a slot only while its step runs
 * and its result is encoded, so the round trips that start and store tasks overlap other tasks'
 * work instead of idling a slot (pipelining). Tasks started but still waiting for a slot when the
 * agent stops are given back to the queue, not run.
 */
import type { JobHelpers, Task } from "graphile-worker";
import type { LimitFunction } from "p-limit";
import type pg from "pg";
import { coerceError } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import { parseContract } from "../contracts/parse.ts";
import { jobPayload, recipe as recipeSchema, taskInput, type JobPayload, type Recipe, type Step } from "../contracts/runs.ts";
import { jobFlags, jobKey, TASK_IDENTIFIER } from "../queue/queue.ts";
import { decodeResult, encodeResult } from "../queue/result-codec.ts";
import { cancelRunningTask, completeTask, failTask, returnTask, type TaskRef } from "../queue/sql/finish-task.ts";
import { readResults } from "../queue/sql/results.ts";
import { startTask } from "../queue/sql/start-task.ts";
import { executeTask, type ExecuteContext } from "./execute.ts";
import type { SandboxPool } from "./sandbox/sandbox-pool.ts";
import type { Placement } from "./placement.ts";
import { runIds, type RunIdentity } from "./sandbox/identity.ts";

export class FencedError extends Error {
  override name = "FencedError";
}

/** Why a running task was stopped by the agent rather than by its own error. */
export type StopReason = "cancelled" | "shutdown" | "lost";

export interface RunningTask {
  ref: TaskRef;
  controller: AbortController;
}

export interface TaskHandlerDeps {
  pool: pg.Pool;
  agentId: () => string;
  dataRoot: string;
  resultsRoot: string | undefined;
  /** Where shipped functions run. */
  sandbox: SandboxPool;
  /** The allow-listed programs this agent runs, and how it starts them. */
  programs: ExecuteContext["programs"];
  log: Logger;
  /** Tasks running now, so the agent can abort those of cancelled runs or all of them. */
  running: Map<string, RunningTask>;
  stats: { completed: number; failed: number };
  /**
   * The agent's compute slots (its concurrency). The agent clears their waiting line (rejecting
   * with AbortError) when it stops or is found lost.
   */
  slots: LimitFunction;
  /** The agent is stopping: tasks that have no slot yet are given back, not run. */
  draining: () => boolean;
  /** The beamlines this agent may run tasks of. */
  placement: Placement;
  /** Where runs' Unix users start (identity.ts), or undefined when the agent is not root and runs everything as itself. */
  runUidBase: number | undefined;
}

/** What an agent needs of a run: its recipe, and whose it is (the identity and data its shipped code gets). */
interface RunFacts {
  recipe: Recipe;
  beamline: string | null;
  identity: RunIdentity;
  dataFolders: string[];
}

/** None of these change once a run exists, so an agent reads each run once. */
const runs = new Map<string, RunFacts>();

async function runOf(pool: pg.Pool, runId: string): Promise<RunFacts> {
  let facts = runs.get(runId);
  if (!facts) {
    const { rows } = await pool.query<{
      recipe: unknown;
      beamline: string | null;
      data_folders: string[];
      proposal_uid: number | null;
      owner_uid: number | null;
    }>(
      `select r.recipe, r.beamline, r.data_folders, p.run_uid as proposal_uid, u.run_uid as owner_uid
       from run r left join proposal p on p.id = r.proposal_id left join "user" u on u.id = r.owner_id where r.id = $1::uuid`,
      [runId],
    );
    const row = rows[0];
    if (!row) throw new Error(`run ${runId} does not exist`);
    facts = {
      recipe: parseContract(recipeSchema, row.recipe, `the recipe of run ${runId}`),
      beamline: row.beamline,
      identity: { proposal: row.proposal_uid, owner: row.owner_uid },
      dataFolders: row.data_folders,
    };
    if (runs.size > 1000) runs.clear();
    runs.set(runId, facts);
  }
  return facts;
}

function stepOf(run: RunFacts, runId: string, stepId: string): Step {
  const step = run.recipe.steps.find((s) => s.id === stepId);
  if (!step) throw new Error(`run ${runId} has no step ${stepId}`);
  return step;
}

/** Queues the held job again, unlocked, with its unused attempt given back. */
async function requeue(payload: unknown, p: JobPayload, helpers: JobHelpers, beamline: string | null): Promise<void> {
  // On a job this worker holds, add_job clears the held job's key and makes a new, unlocked one.
  await helpers.addJob(TASK_IDENTIFIER, payload, {
    jobKey: jobKey(p.run_id, p.partition),
    maxAttempts: helpers.job.max_attempts - helpers.job.attempts + 1,
    priority: helpers.job.priority,
    flags: jobFlags(beamline),
  });
}

/** A job whose task this agent gives back before running it (it is stopping). */
async function giveBack(payload: unknown, p: JobPayload, ref: TaskRef, helpers: JobHelpers, beamline: string | null): Promise<boolean> {
  if ((await helpers.withPgClient((c) => returnTask(c, ref))) === "fenced") return false;
  await requeue(payload, p, helpers, beamline);
  return true;
}

export function makeTaskHandler(d: TaskHandlerDeps): Task {
  return async (payload: unknown, helpers: JobHelpers) => {
    const p = parseContract(jobPayload, payload, "the job payload");
    if (!d.placement.accepts(helpers.job.flags)) {
      // Taken before this agent knew the job's beamline (placement.ts): passed on untouched, with its run's flags.
      await requeue(payload, p, helpers, (await runOf(d.pool, p.run_id)).beamline);
      d.placement.refresh();
      d.log.debug({ run: p.run_id, partition: p.partition, flags: helpers.job.flags }, "job passed on: not one of this agent's beamlines");
      return;
    }
    const agentId = d.agentId();
    const started = await helpers.withPgClient((c) => startTask(c, p.run_id, p.partition, agentId));
    const log = d.log.child({ run: p.run_id, partition: p.partition, job: helpers.job.id });
    if (!started) {
      log.debug("task already ended (cancelled or done): nothing to do");
      return;
    }
    const ref: TaskRef = { runId: p.run_id, partition: p.partition, attempt: started.attempt };
    const controller = new AbortController();
    const onQueueAbort = () => controller.abort("shutdown" satisfies StopReason);
    helpers.abortSignal.addEventListener("abort", onQueueAbort, { once: true });
    const key = `${p.run_id}:${p.partition}`;
    d.running.set(key, { ref, controller });
    let t0: number | undefined;
    try {
      const stored = await d
        .slots(async () => {
          t0 = performance.now();
          controller.signal.throwIfAborted();
          if (d.draining()) return undefined;
          log.debug({ attempt: started.attempt }, "task running");
          const run = await runOf(d.pool, p.run_id);
          const step = stepOf(run, p.run_id, started.step);
          const items = await executeTask(step, parseContract(taskInput, started.input, `the input of task ${key}`), {
            signal: controller.signal,
            dataRoot: d.dataRoot,
            dataFolders: run.dataFolders,
            owner: d.runUidBase === undefined ? undefined : runIds(run.identity, d.runUidBase),
            runId: p.run_id,
            sandbox: d.sandbox,
            programs: d.programs,
            resultsRoot: d.resultsRoot,
            keep: `runs/${p.run_id}/${p.partition}/a${started.attempt}`,
            stepResults: (s) => stepResults(d, p.run_id, s),
            log: (line) => log.info({ step: step.id }, line),
          });
          return encodeResult(items, { resultsRoot: d.resultsRoot, runId: p.run_id, partition: p.partition });
        })
        .catch((e: unknown) => {
          // The agent dropped the jobs waiting for a slot: stopping (they are given back) or found lost.
          if (t0 === undefined && d.draining()) return undefined;
          throw e;
        });
      if (!stored) {
        if (await giveBack(payload, p, ref, helpers, (await runOf(d.pool, p.run_id)).beamline))
          log.debug({ attempt: started.attempt }, "the agent is stopping: task given back before it ran");
        return;
      }
      const outcome = await helpers.withPgClient((c) => completeTask(c, ref, agentId, stored));
      if (outcome === "fenced") {
        log.warn({ attempt: started.attempt }, "result refused: a newer attempt owns this task (fenced)");
        throw new FencedError(`attempt ${started.attempt} of run ${p.run_id} partition ${p.partition} was superseded`);
      }
      d.stats.completed += 1;
      log.info({ attempt: started.attempt, ms: Math.round(performance.now() - t0!), bytes: stored.size }, "task succeeded");
    } catch (e: unknown) {
      if (e instanceof FencedError) throw e;
      const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
      if (reason === "cancelled") {
        await helpers.withPgClient((c) => cancelRunningTask(c, ref));
        log.info("task stopped: its run was cancelled");
        return;
      }
      if (reason === "lost") {
        log.warn({ attempt: started.attempt }, "task dropped: this agent was found lost, its task belongs to another attempt (fenced)");
        throw new FencedError("this agent was found lost; its task belongs to another attempt");
      }
      const err = coerceError(e);
      const final = reason !== "shutdown" && helpers.job.attempts >= helpers.job.max_attempts;
      const message = reason === "shutdown" ? "the agent stopped before the task ended" : `${err.name}: ${err.message}`;
      const outcome = await helpers.withPgClient((c) => failTask(c, ref, `attempt ${started.attempt}: ${message}`, final));
      if (outcome === "stored") d.stats.failed += 1;
      log.warn({ attempt: started.attempt, final, err: message }, final ? "task failed for good" : "task failed; the queue retries it");
      throw err;
    } finally {
      helpers.abortSignal.removeEventListener("abort", onQueueAbort);
      d.running.delete(key);
    }
  };
}

/** An earlier step's item results, in partition order, flattened. */
async function stepResults(d: TaskHandlerDeps, runId: string, step: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let after = -1;
  for (;;) {
    const rows = await readResults(d.pool, runId, { step, after, limit: 5000 });
    for (const r of rows) out.push(...(await decodeResult(r, d.resultsRoot)));
    if (rows.length < 5000) return out;
    after = rows.at(-1)!.partition;
  }
}
