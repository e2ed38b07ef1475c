import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql in order and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksums,
 * same advisory lock), so the Prisma CLI sees the same history wherever its native engine is
 * available. Written by hand because that engine cannot be downloaded here (DESIGN.md).
 */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

/** The lock id `prisma migrate` takes, so our runner and the CLI never migrate at once. */
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export class MigrationError extends Error {}

/** Applies pending migrations; returns the names applied now. */
export async function migrate(databaseUrl: string, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(`migration ${failed.migration_name} failed earlier and was not rolled back; resolve it before starting Lightbook`);
    }
    const finished = rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null);
    const known = new Map(all.map((m) => [m.name, m]));
    // A database migrated by newer code, or an applied migration edited since: starting would run
    // code against tables it does not describe.
    const unknown = finished.filter((r) => !known.has(r.migration_name)).map((r) => r.migration_name);
    if (unknown.length > 0) {
      throw new MigrationError(
        `the database has migrations this version of Lightbook does not know (${unknown.join(", ")}); run the newer version or restore a matching backup`,
      );
    }
    const changed = finished.filter((r) => known.get(r.migration_name)!.checksum !== r.checksum).map((r) => r.migration_name);
    if (changed.length > 0) {
      throw new MigrationError(
        `applied migrations were edited since they ran (${changed.join(", ")}): checksums differ; never edit an applied migration, add a new one`,
      );
    }
    const done = new Set(finished.map((r) => r.migration_name));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.name)) continue;
      const id = randomUUID();
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`, [
          id,
          m.checksum,
          m.name,
        ]);
        await client.query("COMMIT");
      } catch (e: unknown) {
        await client.query("ROLLBACK");
        throw new MigrationError(`migration ${m.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}
