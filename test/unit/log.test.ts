import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, test } from "node:test";
import { PROJECT_ROOT, TSX_LOADER } from "../../server/paths.ts";

/** A process that logs one line with a secret in it, as the server and agents log. */
const LOG_ONE = `import("${path.join(PROJECT_ROOT, "runtime/log.ts")}").then(({ createLogger }) => createLogger("lightbook").info({ token: "s3cret", kernel: "k1" }, "kernel started"))`;
const argv = [process.execPath, "--import", TSX_LOADER, "-e", LOG_ONE];

function logged(env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("log lines", () => {
  test("are JSON when stderr is not a terminal", () => {
    const { stderr } = logged({ LIGHTBOOK_LOG_FORMAT: "" });
    const line = JSON.parse(stderr.trim()) as Record<string, unknown>;
    assert.equal(line.msg, "kernel started");
    assert.equal(line.token, "[redacted]");
  });

  test("are readable on a terminal", () => {
    // script(1) gives the process a pseudo-terminal; its output is the terminal's.
    const out = execFileSync("script", ["-qec", argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" "), "/dev/null"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LIGHTBOOK_LOG_FORMAT: "" },
      encoding: "utf8",
    });
    const plain = stripVTControlCharacters(out);
    assert.match(plain, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(lightbook\): kernel started\r?\n\s+token: "\[redacted\]"\r?\n\s+kernel: "k1"/);
    assert.ok(!plain.includes("s3cret"));
  });

  test("LIGHTBOOK_LOG_FORMAT chooses either way", () => {
    assert.match(logged({ LIGHTBOOK_LOG_FORMAT: "pretty" }).stderr, /INFO \(lightbook\): kernel started/);
    assert.equal((JSON.parse(logged({ LIGHTBOOK_LOG_FORMAT: "json" }).stderr) as { msg: string }).msg, "kernel started");
  });

  test("an unknown LIGHTBOOK_LOG_FORMAT is refused by name", () => {
    const { status, stderr } = logged({ LIGHTBOOK_LOG_FORMAT: "xml" });
    assert.notEqual(status, 0);
    assert.match(stderr, /LIGHTBOOK_LOG_FORMAT must be json or pretty, not "xml"/);
  });
});
