import type { Queryable } from "./queryable.ts";

/**
 * Locks a run and tells which of its steps already have tasks, so that of two schedulers only one
 * creates a waiting step's tasks. Call inside a transaction.
 */
export async function lockRunSteps(
  db: Queryable,
  runId: string,
): Promise<{ state: string; stepsPending: number; expanded: Map<string, { total: number; succeeded: number; ended: number }> } | null> {
  const run = await db.query<{ state: string; steps_pending: number }>("select state, steps_pending from run where id = $1::uuid for update", [runId]);
  const r = run.rows[0];
  if (!r) return null;
  const { rows } = await db.query<{ step: string; total: number; succeeded: number; ended: number }>(
    `select step, count(*)::int as total, count(*) filter (where state = 'succeeded')::int as succeeded,
            count(*) filter (where state in ('succeeded', 'failed', 'cancelled'))::int as ended
     from task where run_id = $1::uuid group by step`,
    [runId],
  );
  return {
    state: r.state,
    stepsPending: r.steps_pending,
    expanded: new Map(rows.map((x) => [x.step, { total: x.total, succeeded: x.succeeded, ended: x.ended }])),
  };
}
