import type { Queryable } from "./queryable.ts";

export interface ResultRow {
  partition: number;
  step: string;
  attempt: number;
  agent_id: string | null;
  value: unknown;
  bytes: Buffer | null;
  dtype: string | null;
  shape: number[] | null;
  path: string | null;
  sha256: string | null;
  size: number;
}

/** A run's results in partition order (the data sorter), optionally of one step, a page at a time. */
export async function readResults(db: Queryable, runId: string, opts: { step?: string; after?: number; limit: number }): Promise<ResultRow[]> {
  const { rows } = await db.query<ResultRow>(
    `select r.partition, t.step, r.attempt, r.agent_id, r.value, r.bytes, r.dtype, r.shape, r.path, r.sha256, r.size
     from result r join task t on t.run_id = r.run_id and t.partition = r.partition
     where r.run_id = $1::uuid and ($2::text is null or t.step = $2) and r.partition > $3::int
     order by r.partition limit $4::int`,
    [runId, opts.step ?? null, opts.after ?? -1, opts.limit],
  );
  return rows;
}
