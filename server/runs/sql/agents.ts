import type { Queryable } from "./queryable.ts";

/** An agent's heartbeat, stamped with the database's clock (agents' clocks may disagree). Its state, or null if its row is gone. */
export async function heartbeat(db: Queryable, agentId: string, stats: { running: number; completed: number; failed: number }): Promise<string | null> {
  const { rows } = await db.query<{ state: string }>(
    `update agent set heartbeat_at = now(), running = $2::int, completed = $3::int, failed = $4::int
     where id = $1::uuid returning state`,
    [agentId, stats.running, stats.completed, stats.failed],
  );
  return rows[0]?.state ?? null;
}

/**
 * Marks agents whose heartbeat is older than `lostAfterMs` as lost and puts their running tasks
 * back to queued; returns their worker pool ids, whose job locks the caller then releases with
 * graphile-worker's forceUnlockWorkers. One UPDATE: of two reapers, only one gets each agent.
 */
export async function reapLostAgents(db: Queryable, lostAfterMs: number): Promise<{ id: string; name: string; workerIds: string[] }[]> {
  const { rows } = await db.query<{ id: string; name: string; worker_ids: string[] | null }>(
    `with lost as (
       update agent set state = 'lost', lost_at = now()
       where state in ('running', 'stopping') and heartbeat_at < now() - make_interval(secs => $1::float8 / 1000)
       returning id, name, worker_ids
     ), requeued as (
       update task set state = 'queued' from lost where task.agent_id = lost.id and task.state = 'running'
     )
     select id, name, worker_ids from lost`,
    [lostAfterMs],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, workerIds: r.worker_ids ?? [] }));
}

/**
 * Worker pools holding job locks for longer than `olderThanMs` that belong to no live agent: an
 * agent killed before it recorded its pool id, or a reaper that died between marking an agent
 * lost and unlocking. Reads graphile-worker's public `jobs` view.
 */
export async function orphanedWorkerIds(db: Queryable, olderThanMs: number): Promise<string[]> {
  const { rows } = await db.query<{ locked_by: string }>(
    `select distinct j.locked_by from graphile_worker.jobs j
     where j.locked_by is not null and j.task_identifier = 'lightbook_task'
       and j.locked_at < now() - make_interval(secs => $1::float8 / 1000)
       and not exists (select 1 from agent a where a.state in ('running', 'stopping') and j.locked_by = any(a.worker_ids))`,
    [olderThanMs],
  );
  return rows.map((r) => r.locked_by);
}
