import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { alive, pgrep, waitUntil } from "../support/processes.ts";
import { startServer } from "../support/server.ts";

const kernelPids = (kernelId: string) => pgrep("-f", `kernel-${kernelId}.json`);

async function startKernel(server: Awaited<ReturnType<typeof startServer>>): Promise<string> {
  const res = await fetch(`${server.url}api/kernels`, {
    method: "POST",
    headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  assert.equal(kernelPids(id).length, 1, "the kernel runs");
  return id;
}

test("a kernel whose server stays away longer than the orphan grace exits by itself", async () => {
  // The server pings every grace/3; a kernel that misses pings for the grace is orphaned.
  const server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "3000" } });
  try {
    const id = await startKernel(server);
    const [pid] = kernelPids(id);
    server.process.kill("SIGKILL");
    await waitUntil("the orphaned kernel exited after its grace", () => !alive(pid!), 60_000);
    const log = await readFile(path.join(server.stateDir, "runtime", `kernel-${id}.log`), "utf8");
    assert.match(log, /no heartbeat ping for 3000 ms \(LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS\): its server is gone; exiting/);
  } finally {
    await server.dispose();
  }
});

test("with no orphan grace (0), kernels exit when the server that started them is killed", async () => {
  const server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "0" } });
  try {
    const id = await startKernel(server);
    server.process.kill("SIGKILL");
    await waitUntil("the orphaned kernel exited", () => kernelPids(id).length === 0);
  } finally {
    await server.dispose();
  }
});

test("a killed server's local agents exit, and a restart takes over its embedded PostgreSQL with the data", async () => {
  const first = await startServer({ databaseUrl: null, web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "1", LIGHTBOOK_DEMO: "0" } });
  const auth = (token: string) => ({ Authorization: `token ${token}`, "Content-Type": "application/json" });
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const put = await fetch(`${first.url}api/contents/kept.ipynb`, {
      method: "PUT",
      headers: auth(first.token),
      body: JSON.stringify({
        type: "notebook",
        content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "markdown", metadata: {}, source: "kept", id: "c1" }] },
      }),
    });
    assert.equal(put.status, 201);
    const pid = first.process.pid!;
    await waitUntil("the local agent runs", () => pgrep("-P", String(pid), "-f", "agent/main.ts").length === 1, 60_000);
    const [agent] = pgrep("-P", String(pid), "-f", "agent/main.ts");
    const [postgres] = pgrep("-f", `${first.stateDir}/postgres`);
    assert.ok(postgres, "the embedded PostgreSQL runs from the state directory");

    await assert.rejects(
      startServer({ databaseUrl: null, web: false, stateDir: first.stateDir, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } }),
      /another Lightbook server is using the state directory/,
    );

    first.process.kill("SIGKILL");
    await waitUntil("the orphaned local agent exited", () => !alive(agent!));
    assert.ok(alive(postgres), "PostgreSQL outlives the killed server (it cannot watch its parent)");

    second = await startServer({
      databaseUrl: null,
      web: false,
      stateDir: first.stateDir,
      token: first.token,
      env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0" },
    });
    assert.match(second.stderr(), /left running by a Lightbook server that was killed/);
    assert.ok(!alive(postgres), "the left-behind PostgreSQL was stopped");
    const got = await fetch(`${second.url}api/contents/kept.ipynb`, { headers: auth(second.token) });
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { content: { cells: { source: string }[] } }).content.cells[0]!.source, "kept");
  } finally {
    await second?.stop();
    await first.dispose();
  }
});
