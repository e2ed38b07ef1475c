import { jobKeySql } from "../queue.ts";
import type { Queryable } from "./queryable.ts";

const TASK_JOB_KEY = jobKeySql("t.run_id", "t.partition");

/**
 * Queued tasks of live runs that have no queue job (the server stopped between creating tasks and
 * enqueueing them, or a job was lost), older than `olderThanMs`. Reads graphile-worker's `jobs` view.
 */
export async function tasksWithoutJob(
  db: Queryable,
  olderThanMs: number,
): Promise<{ runId: string; partition: number; maxAttempts: number; beamline: string | null }[]> {
  const { rows } = await db.query<{ run_id: string; partition: number; max_attempts: number; beamline: string | null }>(
    `select t.run_id, t.partition, t.max_attempts, r.beamline from task t join run r on r.id = t.run_id
     where r.state in ('pending', 'running') and t.state = 'queued' and t.created_at < now() - make_interval(secs => $1::float8 / 1000)
       and not exists (select 1 from graphile_worker.jobs j where j.key = ${TASK_JOB_KEY})
     limit 1000`,
    [olderThanMs],
  );
  return rows.map((r) => ({ runId: r.run_id, partition: r.partition, maxAttempts: r.max_attempts, beamline: r.beamline }));
}

/**
 * Queued tasks whose job will never run again: its agent was lost during the last attempt, so the
 * queue counts the attempt but nobody recorded the failure. They fail for good, with why.
 */
export async function failExhaustedTasks(db: Queryable): Promise<{ runId: string; partition: number }[]> {
  const { rows } = await db.query<{ run_id: string; partition: number }>(
    `update task t set state = 'failed', finished_at = now(),
       error = coalesce(t.error || E'\\n', '') || 'gave up after ' || j.attempts || ' attempts: the agent running the last one was lost'
     from graphile_worker.jobs j
     where j.key = ${TASK_JOB_KEY} and t.state = 'queued'
       and j.locked_at is null and j.attempts >= j.max_attempts
     returning t.run_id, t.partition`,
  );
  return rows.map((r) => ({ runId: r.run_id, partition: r.partition }));
}
