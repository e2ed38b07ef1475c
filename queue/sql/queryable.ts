import type pg from "pg";

/** A pool or one client: the SQL operations here run on either. */
export type Queryable = Pick<pg.ClientBase, "query">;

/** BEGIN … COMMIT on one client, ROLLBACK on any throw. */
export async function transaction<T>(client: Queryable, fn: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const value = await fn();
    await client.query("COMMIT");
    return value;
  } catch (e: unknown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}
