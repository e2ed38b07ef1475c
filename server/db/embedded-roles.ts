import pg from "pg";
import type { Logger } from "../../runtime/log.ts";
import type { Credentials } from "./embedded-credentials.ts";

/**
 * The role the server and its local agents connect as: it owns Lightbook's database and nothing
 * else, so it cannot run programs (COPY … TO PROGRAM) or read files as PostgreSQL's OS user.
 * Not `lightbook`: clusters made before this role existed have `lightbook` as their bootstrap
 * superuser, whose superuser attribute PostgreSQL 16+ refuses to remove.
 */
export const APP_ROLE = "lightbook_app";
/** Lightbook's database (older clusters kept their tables in `postgres`; see provision()). */
export const APP_DATABASE = "lightbook";

/** Opens a connection as `credentials` to `database` through the socket in `socketDir`. */
export type Connect = (credentials: Credentials, database: string) => Promise<pg.Client>;

/**
 * Run as the superuser at every start, idempotently: the application role with the password of
 * its file, its own database, and every object in that database's schemas owned by it. An older
 * installation (its tables in `postgres`, owned by the superuser) is moved over: its database is
 * renamed to `lightbook` and a new empty `postgres` takes its place.
 */
export async function provision(connect: Connect, superuser: Credentials, app: Credentials, log: Logger): Promise<void> {
  // template1 always exists, also while an older installation's `postgres` is being renamed.
  const admin = await connect(superuser, "template1");
  try {
    // No TCP also for a PostgreSQL started by hand on this data folder, not only with our flags.
    await admin.query("ALTER SYSTEM SET listen_addresses = ''");
    const password = admin.escapeLiteral(app.password);
    const role = admin.escapeIdentifier(app.user);
    const hasRole = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [app.user]);
    if (hasRole.rowCount === 0) await admin.query(`CREATE ROLE ${role}`);
    await admin.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${password}`);
    const databases = new Set((await admin.query<{ datname: string }>("SELECT datname FROM pg_database")).rows.map((r) => r.datname));
    if (!databases.has(APP_DATABASE)) {
      if (databases.has("postgres") && (await holdsLightbookTables(connect, superuser, "postgres"))) {
        await admin.query(`ALTER DATABASE postgres RENAME TO ${APP_DATABASE}`);
        log.warn({ database: APP_DATABASE }, "moved Lightbook's tables from the embedded PostgreSQL's `postgres` database to its own");
      } else {
        await admin.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${role}`);
      }
    }
    // The maintenance database tools expect (renamed away above on older installations).
    const hasPostgres = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'postgres'");
    if (hasPostgres.rowCount === 0) await admin.query("CREATE DATABASE postgres");
    await admin.query(`ALTER DATABASE ${APP_DATABASE} OWNER TO ${role}`);
  } finally {
    await admin.end();
  }
  const db = await connect(superuser, APP_DATABASE);
  try {
    await db.query(reassignToRole(db.escapeIdentifier(app.user), db.escapeLiteral(app.user)));
  } finally {
    await db.end();
  }
}

async function holdsLightbookTables(connect: Connect, superuser: Credentials, database: string): Promise<boolean> {
  const c = await connect(superuser, database);
  try {
    const { rows } = await c.query<{ found: boolean }>("SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS found");
    return rows[0]!.found;
  } finally {
    await c.end();
  }
}

/**
 * Schemas and what is in them (tables with their indexes and owned sequences, views, free
 * sequences, functions, enum/domain/range/composite types) change owner to the role. REASSIGN
 * OWNED cannot do it: the old owner is the bootstrap superuser, which also owns the system
 * catalogs.
 */
function reassignToRole(roleIdent: string, roleLiteral: string): string {
  const userSchema = (ns: string) => `${ns} NOT LIKE 'pg\\_%' AND ${ns} <> 'information_schema'`;
  return `DO $$
DECLARE
  r record;
  app regrole := ${roleLiteral}::regrole;
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE ${userSchema("n.nspname")} AND n.nspowner <> app LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO ${roleIdent}', r.nspname);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS obj FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${userSchema("n.nspname")} AND c.relowner <> app AND c.relkind IN ('r', 'p', 'v', 'S')
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO ${roleIdent}', r.obj);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS obj FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${userSchema("n.nspname")} AND p.proowner <> app
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO ${roleIdent}', r.obj);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS obj FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${userSchema("n.nspname")} AND t.typowner <> app
      AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO ${roleIdent}', r.obj);
  END LOOP;
END $$`;
}
