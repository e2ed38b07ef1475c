import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedDatabase } from "../server/db/embedded.ts";
import { createLogger } from "../runtime/log.ts";
import { TSX_LOADER } from "../server/paths.ts";

/**
 * `npm test`: every test file under test/, against a real PostgreSQL. Without
 * LIGHTBOOK_TEST_DATABASE_URL it runs the same embedded PostgreSQL a fresh install uses, so
 * the suite needs no database server. Each test file creates its own databases in it.
 */
const root = path.resolve(import.meta.dirname);
/** One test may take this long; a hung test then fails instead of holding CI until its limit. */
const TEST_TIMEOUT_MS = 300_000;

async function testFiles(dirs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    for (const entry of await readdir(path.resolve(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".test.ts")) files.push(path.join(entry.parentPath, entry.name));
    }
  }
  return files.sort();
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only.map((f) => path.resolve(f)) : await testFiles(["unit", "kernel", "analysis", "../web/lib", "integration", "browser"]);

let adminUrl = process.env.LIGHTBOOK_TEST_DATABASE_URL;
let stopDb: (() => Promise<void>) | undefined;
let tmp: string | undefined;
if (!adminUrl) {
  tmp = await mkdtemp(path.join(os.tmpdir(), "lightbook-test-"));
  await chmod(tmp, 0o755);
  const db = await startEmbeddedDatabase(tmp, createLogger("test-database"));
  adminUrl = db.adminUrl;
  stopDb = db.stop;
}

const child = spawn(
  process.execPath,
  ["--import", TSX_LOADER, "--test", "--test-reporter=spec", `--test-timeout=${TEST_TIMEOUT_MS}`, "--test-force-exit", ...files],
  {
    stdio: "inherit",
    env: { ...process.env, LIGHTBOOK_TEST_DATABASE_URL: adminUrl },
  },
);
const code = await new Promise<number>((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
await stopDb?.();
if (tmp) await rm(tmp, { recursive: true, force: true });
process.exit(code);
