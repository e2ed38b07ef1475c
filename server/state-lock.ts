import { lock } from "proper-lockfile";
import path from "node:path";
import type { Logger } from "../runtime/log.ts";

/** A lock not refreshed for this long belongs to a server that died (kill -9, power loss). */
const STALE_MS = 10_000;

export class StateDirLockedError extends Error {}

/**
 * One server per state directory: the embedded PostgreSQL, kernel connection files and results live
 * there. Holding the lock also tells a starting server that a PostgreSQL still running from this
 * folder was left behind by a killed server, not used by a live one.
 */
export async function lockStateDir(stateDir: string, log: Logger): Promise<() => Promise<void>> {
  const lockfilePath = path.join(stateDir, "server.lock");
  try {
    return await lock(stateDir, {
      lockfilePath,
      stale: STALE_MS,
      // A server killed a moment ago leaves a lock that goes stale within STALE_MS: wait that long.
      retries: { retries: Math.ceil((STALE_MS * 1.5) / 1000), factor: 1, minTimeout: 1000, maxTimeout: 1000 },
      onCompromised: (e) => log.warn({ err: e.message, lockfilePath }, "the state directory lock was not refreshed in time (event loop blocked?)"),
    });
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new StateDirLockedError(
        `another Lightbook server is using the state directory ${stateDir} (lock ${lockfilePath}); stop it or set LIGHTBOOK_STATE_DIR`,
      );
    }
    throw e;
  }
}
