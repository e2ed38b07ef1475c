import { z } from "zod";
import { parseContract } from "../../contracts/parse.ts";
import type { Queryable } from "./queryable.ts";

/** A row of the query below; its `value` is the jsonb as pg parses it. */
const resultRow = z.object({
  partition: z.number().int(),
  step: z.string(),
  attempt: z.number().int(),
  agent_id: z.string().nullable(),
  value: z.unknown(),
  bytes: z.instanceof(Buffer).nullable(),
  dtype: z.string().nullable(),
  shape: z.array(z.number().int()).nullable(),
  path: z.string().nullable(),
  sha256: z.string().nullable(),
  size: z.number().int(),
});
export type ResultRow = z.infer<typeof resultRow>;

/** A run's results in partition order (the data sorter), optionally of one step, a page at a time. */
export async function readResults(db: Queryable, runId: string, opts: { step?: string; after?: number; limit: number }): Promise<ResultRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select r.partition, t.step, r.attempt, r.agent_id, r.value, r.bytes, r.dtype, r.shape, r.path, r.sha256, r.size
     from result r join task t on t.run_id = r.run_id and t.partition = r.partition
     where r.run_id = $1::uuid and ($2::text is null or t.step = $2) and r.partition > $3::int
     order by r.partition limit $4::int`,
    [runId, opts.step ?? null, opts.after ?? -1, opts.limit],
  );
  return rows.map((row, i) => parseContract(resultRow, row, `result row ${i} of run ${runId}`));
}
