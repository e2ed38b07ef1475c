import { runEvents, taskEvents } from "./events.ts";
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
 * The tail shared by every way a task ends: record its `task.state` event, count it on its run
 * and, when it was the run's last task, no step waits and the run is not open, end the run (with
 * its `run.state` event); tell the server (NOTIFY lightbook_runs `ended:<run>` for long-polling
 * clients, `advance:<run>` when a waiting step can start). `ended` is the CTE whose row says the task
 * ended ($1 is the run id; the task row itself is the CTE `t`, returning what taskEvents reads);
 * `column` the run counter to raise.
 *
 * One statement, so the run row is locked only while it executes: concurrent finishers of one run
 * wait for each other for well under a millisecond, and exactly one sees the last task end. The
 * events are in the same statement, so they exist exactly when the change does: a fenced finisher
 * writes none. A run that is terminal after the update ended in this statement: a task that was
 * still running kept it from ending before (and the cancel path, cancelled, writes its own event).
 * The run's event reads the task's, so a run's end comes after its last result in the stream.
 * The events read `counted`, so they are inserted after every row lock the statement takes: the
 * event table's lock (taken by its insert, held to commit) is always the last one a transaction
 * asks for, so two finishers never wait for each other in a cycle.
 */
function countOnRun(column: "succeeded" | "failed" | "cancelled", ended: string): string {
  const done = `not open and succeeded + failed + cancelled + 1 >= total`;
  return `, counted as (
       update run set ${column} = ${column} + 1,
         state = case when state in ('pending', 'running') and steps_pending = 0 and ${done}
                 then (case when error is not null or failed${column === "failed" ? " + 1" : ""} > 0 then 'failed' else 'succeeded' end)::run_state
                 else state end,
         finished_at = case when state in ('pending', 'running') and steps_pending = 0 and ${done} then now() else finished_at end
       where id = $1::uuid and exists (select 1 from ${ended})
       returning id, state, open, total, steps_pending, not open and succeeded + failed + cancelled >= total as all_ended
     ), task_event as (${taskEvents("t where exists (select 1 from counted)")}
     ), run_event as (${runEvents("counted where state in ('succeeded', 'failed') and (select count(*) from task_event) > 0")}
     ), told as (
       select pg_notify('lightbook_runs', (case when steps_pending > 0 then 'advance:' else 'ended:' end) || $1) from counted
       where all_ended and (steps_pending > 0 or state in ('succeeded', 'failed'))
     )
     select (select count(*) from ${ended})::int as ended, (select count(*) from told)::int as told`;
}

/**
 * Stores a task's result exactly once, in one statement (one transaction): the task must still be
 * running under this attempt, or a newer attempt owns it ("fenced": nothing is written); the
 * result row is keyed by (run, partition), so a second write fails rather than overwrite.
 */
export async function completeTask(db: Queryable, t: TaskRef, agentId: string, result: StoredResult): Promise<FinishOutcome> {
  const { rows } = await db.query<{ ended: number }>(
    `with t as (
       update task set state = 'succeeded', finished_at = now(), error = null
       where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'
       returning run_id, partition, state, attempt, agent_id, error
     ), stored as (
       insert into result (run_id, partition, attempt, agent_id, value, bytes, dtype, shape, path, sha256, size)
       select t.run_id, t.partition, $3::int, $4::uuid, $5::jsonb, $6::bytea, $7, $8::int[], $9, $10, $11::int from t
       returning run_id
     )${countOnRun("succeeded", "stored")}`,
    [
      t.runId,
      t.partition,
      t.attempt,
      agentId,
      result.value === undefined ? null : JSON.stringify(result.value),
      result.bytes,
      result.dtype,
      result.shape,
      result.path,
      result.sha256,
      result.size,
    ],
  );
  return rows[0]?.ended === 1 ? "stored" : "fenced";
}

/**
 * A failed attempt. `final` (its last attempt): the task fails for good with its error, visible in
 * the run. Otherwise it waits for the queue's retry, the error kept as the last one seen. Fenced
 * like completeTask.
 */
export async function failTask(db: Queryable, t: TaskRef, error: string, final: boolean): Promise<FinishOutcome> {
  if (!final) {
    return requeue(db, t, `update task set state = 'queued', error = $4`, [error]);
  }
  const { rows } = await db.query<{ ended: number }>(
    `with t as (
       update task set state = 'failed', error = $4, finished_at = now()
       where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'
       returning run_id, partition, state, attempt, agent_id, error
     )${countOnRun("failed", "t")}`,
    [t.runId, t.partition, t.attempt, error],
  );
  return rows[0]?.ended === 1 ? "stored" : "fenced";
}

/** A running task stopped because its run was cancelled. */
export async function cancelRunningTask(db: Queryable, t: TaskRef): Promise<FinishOutcome> {
  const { rows } = await db.query<{ ended: number }>(
    `with t as (
       update task set state = 'cancelled', finished_at = now(), error = 'cancelled'
       where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'
       returning run_id, partition, state, attempt, agent_id, error
     )${countOnRun("cancelled", "t")}`,
    [t.runId, t.partition, t.attempt],
  );
  return rows[0]?.ended === 1 ? "stored" : "fenced";
}

/** A started task given back before it ran (its agent is stopping): queued again, its error untouched. Fenced. */
export async function returnTask(db: Queryable, t: TaskRef): Promise<FinishOutcome> {
  return requeue(db, t, `update task set state = 'queued', started_at = null`, []);
}

/** A running task back to queued by `update` (its SET part), with its `task.state` event; fenced like the others. */
async function requeue(db: Queryable, t: TaskRef, update: string, extra: unknown[]): Promise<FinishOutcome> {
  const { rows } = await db.query<{ n: number }>(
    `with t as (
       ${update}
       where run_id = $1::uuid and partition = $2::int and attempt = $3::int and state = 'running'
       returning run_id, partition, state, attempt, agent_id, error
     ), e as (${taskEvents("t")})
     select count(*)::int as n from t`,
    [t.runId, t.partition, t.attempt, ...extra],
  );
  return rows[0]?.n === 1 ? "stored" : "fenced";
}
