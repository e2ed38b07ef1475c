import { Logger as WorkerLogger, makeWorkerUtils, type LogLevel, type WorkerUtils } from "graphile-worker";
import pg from "pg";
import type { Logger } from "../runtime/log.ts";
import type { JobPayload } from "../contracts/runs.ts";

/**
 * The job queue is graphile-worker in its own schema (`graphile_worker`): jobs are picked up
 * through LISTEN/NOTIFY, locked by the picking agent's worker pool, and retried with backoff.
 * Everything here goes through its API; the one queue read it lacks (jobs by key) is in sql/.
 */
export const TASK_IDENTIFIER = "lightbook_task";

const JOB_KEY_PREFIX = "lightbook:";

/** One job per task, keyed so a task is never queued twice (jobKey replaces an unlocked duplicate). */
export function jobKey(runId: string, partition: number): string {
  return `${JOB_KEY_PREFIX}${runId}:${partition}`;
}

/** A LIKE pattern that matches the job keys of every task of a run. */
export function runJobKeyPattern(runId: string): string {
  return `${JOB_KEY_PREFIX}${runId}:%`;
}

/** jobKey as an SQL expression over the columns `run` and `partition`, to join graphile_worker.jobs on its key. */
export function jobKeySql(run: string, partition: string): string {
  return `'${JOB_KEY_PREFIX}' || ${run} || ':' || ${partition}`;
}

/**
 * Job flags saying where a task may run (issue 13, item 5): its run's beamline, or that the run
 * has none (a personal run). Agents restricted to beamlines skip the jobs of every other
 * (agent/placement.ts).
 */
export function jobFlags(beamline: string | null): string[] {
  return [beamline === null ? PERSONAL_FLAG : beamlineFlag(beamline)];
}

export const PERSONAL_FLAG = "personal";

export function beamlineFlag(beamline: string): string {
  return `beamline:${beamline}`;
}

/** graphile-worker's log lines, as structured lines of our logger. */
export function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level: LogLevel, message: string, meta?: unknown) => {
    const fields = { queue: scope, ...(meta && typeof meta === "object" ? { meta: Object.keys(meta) } : {}) };
    // Its info lines are one per job: debug here; our own lines name run, partition and attempt.
    if (String(level) === "error") log.error(fields, message);
    else if (String(level) === "warning") log.warn(fields, message);
    else log.debug(fields, message);
  });
}

export interface EnqueueSpec {
  runId: string;
  partition: number;
  maxAttempts: number;
  priority: number;
  /** The run's beamline (its jobs' flags). */
  beamline: string | null;
}

/** The server's handle on the queue. */
export class Queue {
  private constructor(
    readonly utils: WorkerUtils,
    private readonly pool: pg.Pool,
  ) {}

  /**
   * Connects and brings graphile-worker's schema up to date (agents do the same). The pool is
   * ours: graphile-worker's release() drops its error listeners and starts ending a pool it made
   * without waiting, so a database stopped right after (the embedded one, at shutdown) made an idle
   * connection's error an unhandled one. This pool keeps its listener and close() waits for it.
   */
  static async open(databaseUrl: string, log: Logger): Promise<Queue> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    pool.on("error", (e) => log.warn({ err: e.message }, "queue connection lost"));
    const utils = await makeWorkerUtils({ pgPool: pool, logger: workerLogger(log) });
    await utils.migrate();
    return new Queue(utils, pool);
  }

  /** One job per task; batched, as one statement per 1,000 jobs. */
  async enqueue(specs: EnqueueSpec[]): Promise<void> {
    for (let i = 0; i < specs.length; i += 1000) {
      await this.utils.addJobs(
        specs.slice(i, i + 1000).map((s) => ({
          identifier: TASK_IDENTIFIER,
          payload: { run_id: s.runId, partition: s.partition } satisfies JobPayload,
          jobKey: jobKey(s.runId, s.partition),
          maxAttempts: s.maxAttempts,
          priority: s.priority,
          flags: jobFlags(s.beamline),
        })),
      );
    }
  }

  /** Drops the jobs of these tasks that no agent runs now (a cancelled run's pending work). */
  async remove(runId: string, partitions: number[]): Promise<void> {
    const keys = partitions.map((p) => jobKey(runId, p));
    for (let i = 0; i < keys.length; i += 1000) {
      // graphile-worker's documented SQL API: deletes an unlocked job, or lets a locked one run no more attempts.
      await this.utils.withPgClient((c) => c.query("select graphile_worker.remove_job(k) from unnest($1::text[]) k", [keys.slice(i, i + 1000)]));
    }
  }

  async forceUnlockWorkers(workerIds: string[]): Promise<void> {
    if (workerIds.length > 0) await this.utils.forceUnlockWorkers(workerIds);
  }

  async close(): Promise<void> {
    await this.utils.release();
    await this.pool.end();
  }
}
