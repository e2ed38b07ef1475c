import { parseContract } from "../../contracts/parse.ts";
import { streamEvent, type EventBody, type StreamEvent } from "../../contracts/events.ts";
import type { Queryable } from "./queryable.ts";

/**
 * The event table (contracts/events.ts): every writer inserts its events in the transaction of
 * the change they report, so a subscriber never sees an event for a change that rolled back, nor
 * misses one that committed. The table's trigger draws the seq in commit order and NOTIFYs
 * `lightbook_events` with it (see the migration 20261202110000_events).
 */

/** Prisma's transaction client or PrismaClient, as far as recordEvent needs it (queue/ cannot import the server's generated client). */
export interface RawExecutor {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
}

const INSERT_EVENT = "insert into event (kind, run_id, payload) values ($1, $2::uuid, $3::jsonb) returning seq::text as seq";

/** Records one event on a pg client/pool or a Prisma (transaction) client; returns its seq. Call it inside the transaction of the change it reports. */
export async function recordEvent(db: Queryable | RawExecutor, event: EventBody): Promise<number> {
  const { kind, ...rest } = event;
  const runId = "run_id" in rest ? rest.run_id : null;
  const payload = JSON.stringify(Object.fromEntries(Object.entries(rest).filter(([k]) => k !== "run_id")));
  const params = [kind, runId, payload];
  if ("query" in db) {
    const { rows } = await db.query<{ seq: string }>(INSERT_EVENT, params);
    return Number(rows[0]!.seq);
  }
  const rows = await db.$queryRawUnsafe<{ seq: string }[]>(INSERT_EVENT, ...params);
  return Number(rows[0]!.seq);
}

/*
 * The three below are CTE bodies for statements that change a row and record its event at once;
 * each returns the seqs it drew, so a later event of the statement can be made to follow it.
 */

/**
 * SQL inserting one `task.state` event per row of the CTE `from`, which returns the task's
 * run_id, partition, state, attempt, agent_id and error (as `update task … returning` does).
 */
export function taskEvents(from: string): string {
  return `insert into event (kind, run_id, payload)
    select 'task.state', run_id, jsonb_build_object('partition', partition, 'state', state, 'attempt', attempt, 'agent_id', agent_id, 'error', error) from ${from}
    returning seq`;
}

/** SQL inserting one `run.state` event per row of the CTE `from` (a run row: id, state, open, total). */
export function runEvents(from: string): string {
  return `insert into event (kind, run_id, payload)
    select 'run.state', id, jsonb_build_object('state', state, 'open', open, 'total', total) from ${from}
    returning seq`;
}

/** SQL inserting one `agent.state` event per row of the CTE `from` (an agent row: id, name, state). */
export function agentEvents(from: string): string {
  return `insert into event (kind, run_id, payload)
    select 'agent.state', null, jsonb_build_object('agent_id', id, 'name', name, 'state', state) from ${from}
    returning seq`;
}

interface EventRow {
  seq: string;
  kind: string;
  run_id: string | null;
  payload: Record<string, unknown>;
  created: Date;
}

/** Events after `after` (and up to `upTo`, when given) in seq order, at most `limit`, only run `runId`'s when given; parsed with their contract. */
export async function readEvents(db: Queryable, opts: { after: number; limit: number; upTo?: number; runId?: string }): Promise<StreamEvent[]> {
  const { rows } = await db.query<EventRow>(
    `select seq::text as seq, kind, run_id, payload, created from event
     where seq > $1::bigint and ($4::bigint is null or seq <= $4::bigint) and ($3::uuid is null or run_id = $3::uuid)
     order by event.seq limit $2::int`,
    [opts.after, opts.limit, opts.runId ?? null, opts.upTo ?? null],
  );
  return rows.map((r) =>
    parseContract(
      streamEvent,
      { ...r.payload, kind: r.kind, ...(r.run_id === null ? {} : { run_id: r.run_id }), seq: Number(r.seq), created: r.created.toISOString() },
      `event ${r.seq}`,
    ),
  );
}

/** The newest seq (0 when there is none). */
export async function lastSeq(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ seq: string | null }>("select max(seq)::text as seq from event");
  return Number(rows[0]?.seq ?? 0);
}

/** Deletes events older than `olderThanMs` (retention), the oldest first, at most `limit`; returns how many. */
export async function deleteOldEvents(db: Queryable, olderThanMs: number, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `delete from event where seq in (
       select seq from event where created < now() - make_interval(secs => $1::float8 / 1000) order by event.seq limit $2::int)`,
    [olderThanMs, limit],
  );
  return rowCount ?? 0;
}
