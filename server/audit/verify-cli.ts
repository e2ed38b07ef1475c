/**
 * `npm run audit:verify`: checks the audit trail's hash chain in the configured database
 * (DATABASE_URL), or in the embedded one of a stopped server (a running one holds its state
 * directory: use Admin ▸ Audit ▸ Verify there). Exits 1 where the chain breaks, naming the event.
 */
import { describeVerification } from "../../contracts/audit.ts";
import { coerceError } from "../../runtime/errors.ts";
import { createLogger } from "../../runtime/log.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { lockStateDir, StateDirLockedError } from "../state-lock.ts";
import { AuditLog } from "./audit-log.ts";

const log = createLogger("audit-verify");

async function verify(): Promise<number> {
  const config = loadConfig();
  let unlock: () => Promise<void> = () => Promise.resolve();
  if (!config.databaseUrl) {
    try {
      unlock = await lockStateDir(config.stateDir, log);
    } catch (e: unknown) {
      if (!(e instanceof StateDirLockedError)) throw e;
      throw new Error(`${e.message}. While it runs, verify from its Admin ▸ Audit page (GET /api/lightbook/admin/audit/verify)`, { cause: e });
    }
  }
  const database = await openDatabase(config, log);
  try {
    const progress = (checked: number, total: number) => process.stderr.write(`\rchecked ${checked} of ${total} events`);
    const result = await new AuditLog(database.db, log).verify(progress);
    process.stderr.write("\n");
    process.stdout.write(`${describeVerification(result)}\n`);
    return result.brokenAt === null ? 0 : 1;
  } finally {
    await database.close();
    await unlock();
  }
}

try {
  process.exitCode = await verify();
} catch (e: unknown) {
  process.stderr.write(`audit:verify: ${coerceError(e).message}\n`);
  process.exitCode = 2;
}
