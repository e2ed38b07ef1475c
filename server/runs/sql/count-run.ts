import type { Queryable } from "./queryable.ts";

export interface RunCounts {
  state: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  stepsPending: number;
}

/**
 * Adds ended tasks to a run's counts, and ends the run when its last task ends and no step waits.
 * Runs inside the transaction that ended the tasks; the row lock orders concurrent finishers, so
 * exactly one of them sees the last task end. When tasks all ended but steps wait, the scheduler
 * is told (NOTIFY lightbook_runs) to create the next step's tasks.
 */
export async function countEnded(db: Queryable, runId: string, add: { succeeded?: number; failed?: number; cancelled?: number }): Promise<RunCounts> {
  const { rows } = await db.query<{ state: string; total: number; succeeded: number; failed: number; cancelled: number; steps_pending: number }>(
    `update run set
       succeeded = succeeded + $2::int, failed = failed + $3::int, cancelled = cancelled + $4::int,
       state = case
         when state in ('pending', 'running') and steps_pending = 0 and succeeded + $2 + failed + $3 + cancelled + $4 >= total
         then (case when failed + $3 > 0 then 'failed' else 'succeeded' end)::run_state
         else state end,
       finished_at = case
         when state in ('pending', 'running') and steps_pending = 0 and succeeded + $2 + failed + $3 + cancelled + $4 >= total
         then now() else finished_at end
     where id = $1::uuid
     returning state, total, succeeded, failed, cancelled, steps_pending`,
    [runId, add.succeeded ?? 0, add.failed ?? 0, add.cancelled ?? 0],
  );
  const r = rows[0];
  if (!r) throw new Error(`run ${runId} does not exist`);
  if (r.steps_pending > 0 && r.succeeded + r.failed + r.cancelled >= r.total) await db.query("select pg_notify('lightbook_runs', $1)", [runId]);
  return { state: r.state, total: r.total, succeeded: r.succeeded, failed: r.failed, cancelled: r.cancelled, stepsPending: r.steps_pending };
}
