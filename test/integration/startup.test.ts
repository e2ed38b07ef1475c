import assert from "node:assert/strict";
import { mkdtemp, rm, chmod } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { runServerUntilExit, startServer } from "../support/server.ts";
import { createTestDatabase } from "../support/database.ts";
import { waitFor } from "../support/workflow.ts";

const notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ id: "x", cell_type: "markdown", metadata: {}, source: "kept across restarts" }],
};

async function save(url: string, token: string, name: string): Promise<void> {
  const res = await fetch(`${url}api/contents/${name}`, {
    method: "PUT",
    headers: { Authorization: `token ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "notebook", content: notebook }),
  });
  assert.equal(res.status, 201);
}

async function load(url: string, token: string, name: string): Promise<unknown> {
  const res = await fetch(`${url}api/contents/${name}`, { headers: { Authorization: `token ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { content: unknown }).content;
}

describe("starting the server", () => {
  test("a port already in use is one clear line and exit code 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runServerUntilExit({ LIGHTBOOK_PORT: String(port), DATABASE_URL: await createTestDatabase() });
      assert.equal(code, 1);
      assert.equal(stderr.trim(), `lightbook: port ${port} on 127.0.0.1 is already in use; set LIGHTBOOK_PORT to another port`);
    } finally {
      blocker.close();
    }
  });

  test("an unreachable database is one clear line and exit code 1", async () => {
    const { code, stderr } = await runServerUntilExit({ DATABASE_URL: "postgresql://lightbook:secret@127.0.0.1:1/beamline" });
    assert.equal(code, 1);
    assert.match(stderr.trim(), /^lightbook: cannot reach PostgreSQL at 127\.0\.0\.1:1\/beamline: .+$/);
    assert.ok(!stderr.includes("secret"), "the password is not printed");
  });

  test("invalid configuration is reported by name", async () => {
    const { code, stderr } = await runServerUntilExit({ LIGHTBOOK_PORT: "eighty" });
    assert.equal(code, 1);
    assert.match(stderr, /^lightbook: invalid configuration: LIGHTBOOK_PORT/);
  });

  test("an unknown log format is reported by name", async () => {
    const { code, stderr } = await runServerUntilExit({ LIGHTBOOK_LOG_FORMAT: "xml" });
    assert.equal(code, 1);
    assert.match(stderr, /^lightbook: invalid configuration: LIGHTBOOK_LOG_FORMAT/);
  });

  test("saved notebooks survive a restart (PostgreSQL from DATABASE_URL)", async () => {
    const databaseUrl = await createTestDatabase();
    const first = await startServer({ web: false, databaseUrl });
    await save(first.url, first.token, "kept.ipynb");
    await first.dispose();
    const second = await startServer({ web: false, databaseUrl });
    try {
      assert.deepEqual(await load(second.url, second.token, "kept.ipynb"), notebook);
    } finally {
      await second.dispose();
    }
  });

  test("with no DATABASE_URL an embedded PostgreSQL keeps the data across restarts", async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-embedded-"));
    await chmod(stateDir, 0o755);
    try {
      const first = await startServer({ web: false, databaseUrl: null, stateDir });
      assert.match(first.stdout(), /embedded PostgreSQL/);
      await save(first.url, first.token, "embedded.ipynb");
      assert.equal(await first.stop(), 0);
      const second = await startServer({ web: false, databaseUrl: null, stateDir });
      try {
        assert.deepEqual(await load(second.url, second.token, "embedded.ipynb"), notebook);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  test("a local node agent registers and heartbeats", async () => {
    const server = await startServer({ web: false, env: { LIGHTBOOK_AGENT_HEARTBEAT_MS: "200" } });
    try {
      const agents = async () => {
        const res = await fetch(`${server.url}api/lightbook/agents`, { headers: { Authorization: `token ${server.token}` } });
        return (await res.json()) as { state: string; tags: string[]; heartbeat_at: string; cores: number; host: string }[];
      };
      let list = await agents();
      await waitFor(
        async () => (list = await agents()).length > 0,
        30_000,
        () => "no agent registered",
      );
      assert.equal(list.length, 1);
      assert.equal(list[0]!.state, "running");
      assert.deepEqual(list[0]!.tags, ["local"]);
      assert.ok(list[0]!.cores >= 1);
      const before = Date.parse(list[0]!.heartbeat_at);
      await waitFor(
        async () => Date.parse((await agents())[0]!.heartbeat_at) > before,
        30_000,
        () => "the heartbeat never advanced",
      );
      await server.stop();
    } finally {
      await server.dispose();
    }
  });
});
