import { runEvents, taskEvents } from "./events.ts";
import type { Queryable } from "./queryable.ts";

export interface StartedTask {
  attempt: number;
  step: string;
  input: unknown;
  maxAttempts: number;
}

/**
 * An agent takes a task: its attempt number goes up by one, so a result from any earlier attempt
 * (an agent thought dead that comes back) is refused by finish-task.ts. A task that already ended
 * (succeeded, failed, cancelled) is not started again: null.
 *
 * Committed without waiting for the WAL flush (synchronous_commit off, this transaction only):
 * it saves a disk flush per task. A start lost to a database crash is harmless: the task's row is
 * back at the earlier attempt, so this agent's result is refused (fenced) and the queue retries
 * the job; and any later durable commit (a result, a job's completion) flushes the start first.
 * Its events (`task.state` running, `run.state` running for the run's first start) are lost with it.
 * They read `r`, so they are inserted after the run row is locked: the event table's lock comes last
 * (see finish-task.ts).
 */
export async function startTask(db: Queryable, runId: string, partition: number, agentId: string): Promise<StartedTask | null> {
  const { rows } = await db.query<{ attempt: number; step: string; input: unknown; max_attempts: number }>(
    `with sync as (select set_config('synchronous_commit', 'off', true)), t as (
       update task set attempt = attempt + 1, state = 'running', agent_id = $3::uuid, started_at = now(), finished_at = null
       where run_id = $1::uuid and partition = $2::int and state in ('queued', 'running')
       returning run_id, partition, state, attempt, agent_id, error, step, input, max_attempts
     ), r as (
       update run set state = 'running', started_at = now()
       where id = $1::uuid and state = 'pending' and exists (select 1 from t)
       returning id, state, open, total
     ), task_event as (${taskEvents("t where (select count(*) from r) >= 0")}
     ), run_event as (${runEvents("r")}
     )
     select t.attempt, t.step, t.input, t.max_attempts from t, sync`,
    [runId, partition, agentId],
  );
  const row = rows[0];
  return row ? { attempt: row.attempt, step: row.step, input: row.input, maxAttempts: row.max_attempts } : null;
}
