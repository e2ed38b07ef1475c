import { randomBytes } from "node:crypto";
import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { Logger } from "../../runtime/log.ts";

/** A PostgreSQL role and its password, as kept in a file of the state directory. */
export interface Credentials {
  user: string;
  password: string;
}

export class CredentialsFileError extends Error {}

const credentialsSchema = z.object({ user: z.string().min(1), password: z.string().min(16) });

/**
 * The credentials in `file`, created (mode 0600, random password) the first time and reused
 * after. A file that others may read is narrowed to 0600 again.
 */
export async function readOrCreateCredentials(file: string, user: string, log: Logger): Promise<{ credentials: Credentials; created: boolean }> {
  const fresh: Credentials = { user, password: randomBytes(24).toString("base64url") };
  try {
    await writeFile(file, `${JSON.stringify(fresh)}\n`, { mode: 0o600, flag: "wx" });
    return { credentials: fresh, created: true };
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  if (((await stat(file)).mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    log.warn({ file }, "the database credentials file was readable by others; it is 0600 now");
  }
  let parsed: z.ZodSafeParseResult<Credentials>;
  try {
    parsed = credentialsSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    parsed = credentialsSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    throw new CredentialsFileError(
      `${file} is not a Lightbook database credentials file ({"user": …, "password": …}); restore it from a backup of the state directory`,
    );
  }
  return { credentials: parsed.data, created: false };
}
