import { TASK_IDENTIFIER } from "../queue.ts";
import { agentEvents, taskEvents } from "./events.ts";
import type { Queryable } from "./queryable.ts";

export interface NewAgent {
  id: string;
  name: string;
  host: string;
  pid: number;
  cores: number;
  version: string;
  tags: string[];
  concurrency: number;
}

/** A new agent's row, running, with its `agent.state` event. */
export async function registerAgent(db: Queryable, a: NewAgent): Promise<void> {
  await db.query(
    `with a as (
       insert into agent (id, name, host, pid, cores, version, tags, concurrency, state, started_at, heartbeat_at)
       values ($1::uuid, $2, $3, $4::int, $5::int, $6, $7::text[], $8::int, 'running', now(), now())
       returning id, name, state
     ), e as (${agentEvents("a")})
     select 1`,
    [a.id, a.name, a.host, a.pid, a.cores, a.version, a.tags, a.concurrency],
  );
}

/** An agent moves to `state` (stopping or stopped) if it is now in one of `from`; with its `agent.state` event. */
export async function setAgentState(db: Queryable, agentId: string, state: "stopping" | "stopped", from: readonly string[]): Promise<void> {
  await db.query(
    `with a as (
       update agent set state = $2::agent_state where id = $1::uuid and state::text = any($3::text[])
       returning id, name, state
     ), e as (${agentEvents("a")})
     select 1`,
    [agentId, state, from],
  );
}

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
 * The one rule for a lost agent, as SQL on the agent table: it should be alive (running or
 * stopping) but its heartbeat, stamped by the database's clock, is older than `lostAfterMs`
 * (the query parameter named by `param`). The reapers mark such agents lost; until they do, the
 * agents API and /metrics report them lost by the same rule.
 */
export function heartbeatOverdue(param: string): string {
  return `state in ('running', 'stopping') and heartbeat_at < now() - make_interval(secs => ${param}::float8 / 1000)`;
}

/**
 * Marks agents whose heartbeat is older than `lostAfterMs` as lost and puts their running tasks
 * back to queued; returns their worker pool ids, whose job locks the caller then releases with
 * graphile-worker's forceUnlockWorkers. One UPDATE: of two reapers, only one gets each agent. The
 * events (agent lost, its tasks queued) come after both updates' row locks (see finish-task.ts).
 */
export async function reapLostAgents(db: Queryable, lostAfterMs: number): Promise<{ id: string; name: string; workerIds: string[] }[]> {
  const { rows } = await db.query<{ id: string; name: string; worker_ids: string[] | null }>(
    `with lost as (
       update agent set state = 'lost', lost_at = now()
       where ${heartbeatOverdue("$1")}
       returning id, name, state, worker_ids
     ), requeued as (
       update task set state = 'queued' from lost where task.agent_id = lost.id and task.state = 'running'
       returning task.run_id, task.partition, task.state, task.attempt, task.agent_id, task.error
     ), agent_event as (${agentEvents("lost where (select count(*) from requeued) >= 0")}
     ), task_event as (${taskEvents("requeued")})
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
     where j.locked_by is not null and j.task_identifier = $2
       and j.locked_at < now() - make_interval(secs => $1::float8 / 1000)
       and not exists (select 1 from agent a where a.state in ('running', 'stopping') and j.locked_by = any(a.worker_ids))`,
    [olderThanMs, TASK_IDENTIFIER],
  );
  return rows.map((r) => r.locked_by);
}
