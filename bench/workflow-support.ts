import { randomBytes } from "node:crypto";
import pg from "pg";
import type { RunModel } from "../contracts/runs.ts";
import type { RunningServer } from "../test/support/server.ts";
import { api } from "../test/support/workflow.ts";

/** The benchmarks' PostgreSQL (LIGHTBOOK_BENCH_DATABASE_URL, default the local one); the servers they start create their databases there too. */
export const BENCH_ADMIN_URL = process.env.LIGHTBOOK_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
process.env.LIGHTBOOK_TEST_DATABASE_URL ??= BENCH_ADMIN_URL;

/** Waits for a run's end as cells do: long polling (GET ?wait=), so the end is seen at once, not at the next poll. */
export async function runEnd(server: RunningServer, id: string): Promise<void> {
  for (;;) {
    const r = await api<RunModel>(server, "GET", `/api/lightbook/runs/${id}?tasks=0&wait=30000`);
    if (r.status !== 200) throw new Error(`GET run ${id}: ${r.status}`);
    if (r.body.state === "succeeded") return;
    if (r.body.state === "failed" || r.body.state === "cancelled") throw new Error(`run ${id} ${r.body.state}: ${r.body.error}`);
  }
}

/** A new, empty database on the benchmark's PostgreSQL (admin URL). */
export async function freshDatabase(admin = BENCH_ADMIN_URL): Promise<string> {
  const name = `lb_bench_${randomBytes(5).toString("hex")}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}
