import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { migrate, readMigrations } from "../../server/db/migrate.ts";
import { createTestDatabase } from "../support/database.ts";

test("migrations apply once and are recorded as prisma migrate deploy records them", async () => {
  const url = await createTestDatabase();
  const migrations = await readMigrations();
  assert.ok(migrations.length >= 1);
  assert.deepEqual(
    await migrate(url),
    migrations.map((m) => m.name),
  );
  assert.deepEqual(await migrate(url), [], "a second run applies nothing");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    assert.deepEqual(
      rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count]),
      migrations.map((m) => [m.name, m.checksum, 1]),
    );
    assert.ok(rows.every((r) => r.finished_at instanceof Date));
    const tables = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    assert.deepEqual(
      tables.rows.map((r) => r.tablename),
      [
        "_prisma_migrations",
        "agent",
        "api_token",
        "audit_event",
        "beamtime",
        "content",
        "event",
        "kernel",
        "kernel_execution",
        "kernel_session",
        "login_link",
        "login_session",
        "membership",
        "notebook_revision",
        "proposal",
        "result",
        "run",
        "task",
        "user",
      ],
    );
  } finally {
    await client.end();
  }
});

test("a failing migration is rolled back and reported by name", async () => {
  const url = await createTestDatabase();
  const bad = [{ name: "20990101000000_broken", sql: "CREATE TABLE ok_table (id int); SELECT no_such_column FROM ok_table;", checksum: "x" }];
  await assert.rejects(migrate(url, bad), /migration 20990101000000_broken failed: .*no_such_column/);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT to_regclass('ok_table') AS t`);
    assert.equal(rows[0].t, null, "the failed migration left nothing behind");
  } finally {
    await client.end();
  }
});

test("a database with a migration this code does not know is refused", async () => {
  const url = await createTestDatabase();
  const migrations = await readMigrations();
  const newer = [...migrations, { name: "20990101000000_from_the_future", sql: "CREATE TABLE future_table (id int);", checksum: "f".repeat(64) }];
  await migrate(url, newer);
  await assert.rejects(migrate(url, migrations), /migrations this version of Lightbook does not know \(20990101000000_from_the_future\)/);
});

test("an applied migration edited since it ran is refused by its checksum", async () => {
  const url = await createTestDatabase();
  const migrations = await readMigrations();
  await migrate(url, migrations);
  const [first, ...rest] = migrations;
  const edited = [{ ...first!, checksum: "0".repeat(64) }, ...rest];
  await assert.rejects(migrate(url, edited), new RegExp(`applied migrations were edited since they ran \\(${first!.name}\\)`));
});
