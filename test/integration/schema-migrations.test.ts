import assert from "node:assert/strict";
import { test } from "node:test";
import pg from "pg";
import { z } from "zod";
import { createDb } from "../../server/db/client.ts";
import { migrate } from "../../server/db/migrate.ts";
import { createTestDatabase } from "../support/database.ts";

/**
 * schema.prisma (what the client is generated from) and the SQL migrations (what builds the
 * tables) must describe the same tables: a field added to one and not the other passes the type
 * checker and fails at the first query. The client's runtime data model is Prisma's own reading of
 * schema.prisma (with @map/@@map names), compared here with the tables the migrations create.
 */
const dataModel = z.object({
  models: z.record(
    z.string(),
    z.object({
      dbName: z.string().nullable(),
      fields: z.array(z.object({ name: z.string(), kind: z.string(), type: z.string(), dbName: z.string().optional() })),
    }),
  ),
});

/** information_schema's data_type for each Prisma scalar type (lists show as ARRAY). */
const PG_TYPES: Record<string, string[]> = {
  String: ["text", "character varying", "uuid", "ARRAY"],
  Int: ["integer", "ARRAY"],
  BigInt: ["bigint"],
  Float: ["double precision"],
  Boolean: ["boolean"],
  DateTime: ["timestamp with time zone", "timestamp without time zone"],
  Json: ["jsonb", "json"],
  Bytes: ["bytea"],
};

test("schema.prisma and the migrations describe the same tables and columns", async () => {
  const url = await createTestDatabase();
  await migrate(url);
  const db = createDb(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const model = dataModel.parse((db as unknown as { _runtimeDataModel: unknown })._runtimeDataModel);
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const inDb = new Map<string, Map<string, string>>();
    for (const r of rows) {
      if (!inDb.has(r.table_name)) inDb.set(r.table_name, new Map());
      inDb.get(r.table_name)!.set(r.column_name, r.data_type);
    }
    const inSchema = new Map(Object.entries(model.models).map(([name, m]) => [m.dbName ?? name, m]));
    assert.deepEqual([...inDb.keys()].sort(), [...inSchema.keys()].sort(), "tables");
    for (const [table, m] of inSchema) {
      const columns = inDb.get(table)!;
      const scalars = m.fields.filter((f) => f.kind !== "object");
      assert.deepEqual([...columns.keys()].sort(), scalars.map((f) => f.dbName ?? f.name).sort(), `columns of ${table}`);
      for (const f of scalars) {
        const actual = columns.get(f.dbName ?? f.name)!;
        const expected = f.kind === "enum" ? ["USER-DEFINED"] : (PG_TYPES[f.type] ?? [f.type]);
        assert.ok(expected.includes(actual), `${table}.${f.dbName ?? f.name}: ${f.type} in schema.prisma, ${actual} in the migrations`);
      }
    }
  } finally {
    await client.end();
    await db.$disconnect();
  }
});
