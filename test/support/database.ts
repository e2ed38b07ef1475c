import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL that test/run.ts provides. */
export function adminUrl(): string {
  const url = process.env.LIGHTBOOK_TEST_DATABASE_URL;
  if (!url) throw new Error("run tests with `npm test` (test/run.ts provides LIGHTBOOK_TEST_DATABASE_URL)");
  return url;
}

/** A new, empty database for one test's server; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `lb_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
