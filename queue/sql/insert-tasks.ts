import type { Queryable } from "./queryable.ts";

export interface NewTask {
  step: string;
  input: unknown;
  maxAttempts: number;
}

/**
 * A run's new tasks, partitions first.. in order: one statement per 5,000 tasks, their fields as
 * arrays (row-by-row inserts cost a run of thousands of tasks most of its submission time).
 * `INSERT_TASKS` with `insertTasksParams` runs on any client, e.g. inside a Prisma transaction.
 */
export const INSERT_TASKS = `insert into task (run_id, partition, step, input, max_attempts)
  select $1::uuid, p, s, i::jsonb, m from unnest($2::int[], $3::text[], $4::text[], $5::int[]) as x(p, s, i, m)`;

export const INSERT_TASKS_BATCH = 5000;

export function insertTasksParams(runId: string, first: number, tasks: NewTask[]): [string, number[], string[], string[], number[]] {
  return [runId, tasks.map((_, j) => first + j), tasks.map((t) => t.step), tasks.map((t) => JSON.stringify(t.input)), tasks.map((t) => t.maxAttempts)];
}

export async function insertTasks(db: Queryable, runId: string, first: number, tasks: NewTask[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += INSERT_TASKS_BATCH) {
    await db.query(INSERT_TASKS, insertTasksParams(runId, first + i, tasks.slice(i, i + INSERT_TASKS_BATCH)));
  }
}
