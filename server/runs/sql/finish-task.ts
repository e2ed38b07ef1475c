import { settleRun } from "./settle-run.ts";
import type { Queryable } from "./queryable.ts";

/** A partition's result as stored: JSON, or bytes of a typed array, or a file under the results root. */
export interface StoredResult {
  value: unknown;
  bytes: Buffer | null;
  dtype: string | null;
  shape: number[];
  path: string | null;
  sha256: string | null;
  size: number;
}

export interface TaskRef {
  runId: string;
  partition: number;
  /** The attempt startTask gave this agent. */
  attempt: number;
}

export type FinishOutcome = "stored" | "fenced";

/**
 * Stores a task's result exactly once, in one statement (one transaction): the task must still be
 * running under this attempt, or a newer attempt owns it ("fenced": nothing is written); the
 * result row is keyed by (run, partition), so a second write fails rather than overwrite. Then the
 * run is settled (settle-run.ts).
 */
export async function completeTask(db: Queryable, t: TaskRef, agentId: string, result: StoredResult): Promise<FinishOutcome> {
  const { rowCount } = await db.query(
    `with t as (
       update task set state = 'succeeded', finished_at = now(), error = null
       where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'
       returning run_id, partition
     )
     insert into result (run_id, partition, attempt, agent_id, value, bytes, dtype, shape, path, sha256, size)
     select t.run_id, t.partition, $3::int, $4::uuid, $5::jsonb, $6::bytea, $7, $8::int[], $9, $10, $11::int from t`,
    [t.runId, t.partition, t.attempt, agentId, result.value === undefined ? null : JSON.stringify(result.value), result.bytes, result.dtype, result.shape, result.path, result.sha256, result.size],
  );
  if (rowCount !== 1) return "fenced";
  await settleRun(db, t.runId);
  return "stored";
}

/**
 * A failed attempt. `final` (its last attempt): the task fails for good with its error, visible in
 * the run. Otherwise it waits for the queue's retry, the error kept as the last one seen. Fenced
 * like completeTask.
 */
export async function failTask(db: Queryable, t: TaskRef, error: string, final: boolean): Promise<FinishOutcome> {
  const { rowCount } = await db.query(
    `update task set state = $4::task_state, error = $5, finished_at = case when $4 = 'failed' then now() else null end
     where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'`,
    [t.runId, t.partition, t.attempt, final ? "failed" : "queued", error],
  );
  if (rowCount !== 1) return "fenced";
  if (final) await settleRun(db, t.runId);
  return "stored";
}

/** A running task stopped because its run was cancelled. */
export async function cancelRunningTask(db: Queryable, t: TaskRef): Promise<FinishOutcome> {
  const { rowCount } = await db.query(
    `update task set state = 'cancelled', finished_at = now(), error = 'cancelled'
     where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'`,
    [t.runId, t.partition, t.attempt],
  );
  if (rowCount !== 1) return "fenced";
  await settleRun(db, t.runId);
  return "stored";
}
