import { runEvents } from "./events.ts";
import type { Queryable } from "./queryable.ts";

/**
 * Ends a run if no task is queued or running and no step waits, with counts recounted from its
 * tasks; tells the scheduler when tasks all ended but steps wait. Agents end runs as their tasks
 * end (finish-task.ts); this is for the scheduler, after it created or skipped steps, and for
 * repairs. NOTIFY lightbook_runs carries `ended:<run>` or `advance:<run>`; an ended run gets its
 * `run.state` event. An open run does not end here: closing it settles it.
 */
export async function settleRun(db: Queryable, runId: string): Promise<string | null> {
  const { rows } = await db.query<{ ended: string | null }>(
    `with live as (
       select exists (select 1 from task where run_id = $1::uuid and state in ('queued', 'running')) as v
     ), ended as (
       update run set
         state = case when error is not null or exists (select 1 from task where run_id = $1::uuid and state = 'failed')
                 then 'failed'::run_state else 'succeeded'::run_state end,
         finished_at = now(),
         succeeded = (select count(*) from task where run_id = $1::uuid and state = 'succeeded'),
         failed = (select count(*) from task where run_id = $1::uuid and state = 'failed'),
         cancelled = (select count(*) from task where run_id = $1::uuid and state = 'cancelled')
       where id = $1::uuid and state in ('pending', 'running') and steps_pending = 0 and not open and not (select v from live)
       returning id, state, open, total
     ), run_event as (${runEvents("ended")}
     ), told_end as (
       select pg_notify('lightbook_runs', 'ended:' || $1) from ended
     ), told_advance as (
       select pg_notify('lightbook_runs', 'advance:' || $1) from run
       where id = $1::uuid and state in ('pending', 'running') and steps_pending > 0 and not (select v from live)
     )
     select (select state::text from ended) as ended, (select count(*) from told_end) + (select count(*) from told_advance) as told`,
    [runId],
  );
  return rows[0]?.ended ?? null;
}

/** Live runs whose tasks all ended but that were never settled (a finisher stopped in between). */
export async function unsettledRuns(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select r.id from run r where r.state in ('pending', 'running') and r.total > 0 and not r.open
       and not exists (select 1 from task t where t.run_id = r.id and t.state in ('queued', 'running'))
     limit 1000`,
  );
  return rows.map((r) => r.id);
}
