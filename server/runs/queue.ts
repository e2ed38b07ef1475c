import { Logger as WorkerLogger, makeWorkerUtils, type LogLevel, type WorkerUtils } from "graphile-worker";
import type { Logger } from "../log.ts";

/**
 * The job queue is graphile-worker in its own schema (`graphile_worker`): jobs are picked up
 * through LISTEN/NOTIFY, locked by the picking agent's worker pool, and retried with backoff.
 * Everything here goes through its API; the one queue read it lacks (jobs by key) is in sql/.
 */
export const TASK_IDENTIFIER = "lightbook_task";

/** One job per task, keyed so a task is never queued twice (jobKey replaces an unlocked duplicate). */
export function jobKey(runId: string, partition: number): string {
  return `lightbook:${runId}:${partition}`;
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
}

/** The server's handle on the queue. */
export class Queue {
  private constructor(readonly utils: WorkerUtils) {}

  /** Connects and brings graphile-worker's schema up to date (agents do the same). */
  static async open(databaseUrl: string, log: Logger): Promise<Queue> {
    const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger: workerLogger(log), maxPoolSize: 4 });
    await utils.migrate();
    return new Queue(utils);
  }

  /** One job per task; batched, as one statement per 1,000 jobs. */
  async enqueue(specs: EnqueueSpec[]): Promise<void> {
    for (let i = 0; i < specs.length; i += 1000) {
      await this.utils.addJobs(
        specs.slice(i, i + 1000).map((s) => ({
          identifier: TASK_IDENTIFIER,
          payload: { run_id: s.runId, partition: s.partition },
          jobKey: jobKey(s.runId, s.partition),
          maxAttempts: s.maxAttempts,
          priority: s.priority,
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
  }
}
