import pg from "pg";
import type { Config } from "../config.ts";
import type { Logger } from "../../runtime/log.ts";
import { createDb, type Db } from "./client.ts";
import { startEmbeddedDatabase } from "./embedded.ts";
import { migrate } from "./migrate.ts";

export interface Database {
  url: string;
  db: Db;
  embedded: boolean;
  close(): Promise<void>;
}

export class DatabaseUnreachableError extends Error {}

/** The configured PostgreSQL (or an embedded one), reachable and migrated. */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedDatabase(config.stateDir, log);
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await checkReachable(url);
    const applied = await migrate(url);
    if (applied.length > 0) log.info({ applied }, "applied database migrations");
  } catch (e: unknown) {
    await embedded?.stop();
    throw e;
  }
  const db = createDb(url);
  return {
    url,
    db,
    embedded: embedded !== undefined,
    async close() {
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}

async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (e: unknown) {
    const where = safeLocation(url);
    throw new DatabaseUnreachableError(`cannot reach PostgreSQL at ${where}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** host:port/db of a URL without its credentials, for messages (a socket folder as the host is decoded). */
export function safeLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.hostname)}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
