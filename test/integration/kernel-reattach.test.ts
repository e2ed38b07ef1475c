import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KernelManager, type Kernel } from "@jupyterlab/services";
import { executionsResponse } from "../../contracts/journal.ts";
import { kernelModel } from "../../contracts/kernels.ts";
import { sessionModel } from "../../contracts/sessions.ts";
import { createTestDatabase } from "../support/database.ts";
import { serverSettings } from "../support/jupyter.ts";
import { execute, result } from "../support/kernel-runs.ts";
import { alive, pgrep, waitUntil } from "../support/processes.ts";
import { startServer, type RunningServer } from "../support/server.ts";

/** Issue 11 item 4: kernels, sessions and the output journal outlive a server restart. */

const kernelPid = (id: string) => pgrep("-f", `kernel-${id}.json`)[0];

describe("kernels outlive a server restart", () => {
  let databaseUrl: string;
  let stateDir: string;
  let server: RunningServer | undefined;
  const token = "reattach-test-token-0123456789";
  const clients: KernelManager[] = [];

  /** A server on the same database, state directory and token as the one before it (stopped first, should a test have failed under it). */
  const start = async () => {
    await server?.stop();
    return (server = await startServer({
      web: false,
      databaseUrl,
      stateDir,
      token,
      env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "120000" },
    }));
  };
  const api = async (s: RunningServer, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${s.url}${route}`, {
      method,
      headers: { Authorization: `token ${s.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as unknown) };
  };
  const connect = (s: RunningServer, id: string): Kernel.IKernelConnection => {
    const manager = new KernelManager({ serverSettings: serverSettings(s) });
    clients.push(manager);
    return manager.connectTo({ model: { id, name: "lightbook-ts" } });
  };
  const openSession = async (s: RunningServer, notebook: string) => {
    const created = await api(s, "POST", "api/sessions", { path: notebook, name: notebook, type: "notebook", kernel: { name: "lightbook-ts" } });
    assert.equal(created.status, 201);
    return sessionModel.parse(created.body);
  };

  before(async () => {
    databaseUrl = await createTestDatabase();
    stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-reattach-"));
    await chmod(stateDir, 0o755);
  });
  after(async () => {
    for (const c of clients) c.dispose();
    // After a failure: shut its kernels down, so that they do not outlive the suite.
    if (server && server.process.exitCode === null) {
      for (const k of (await api(server, "GET", "api/kernels")).body as { id: string }[]) await api(server, "DELETE", `api/kernels/${k.id}`);
    }
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  test("after a SIGTERM restart the same kernel answers with its variables, in its session", async () => {
    const first = await start();
    const session = await openSession(first, "kept.ipynb");
    const before = connect(first, session.kernel.id);
    assert.equal((await execute(before, "const kept = 41 + 1;")).reply.status, "ok");
    const pid = kernelPid(session.kernel.id);
    assert.ok(pid, "the kernel runs");

    assert.equal(await first.stop(), 0);
    assert.ok(alive(pid), "the kernel outlived the server");
    const second = await start();
    const model = kernelModel.parse((await api(second, "GET", `api/kernels/${session.kernel.id}`)).body);
    assert.notEqual(model.execution_state, "dead");
    const sessions = (await api(second, "GET", "api/sessions")).body as unknown[];
    assert.deepEqual(
      sessions.map((s) => sessionModel.parse(s)).map((s) => [s.id, s.path, s.kernel.id]),
      [[session.id, "kept.ipynb", session.kernel.id]],
    );
    assert.equal(result(await execute(connect(second, session.kernel.id), "kept")), "42");
    assert.equal(kernelPid(session.kernel.id), pid, "the same process");

    // An explicit shutdown still ends the kernel, and its session and records with it.
    assert.equal((await api(second, "DELETE", `api/kernels/${session.kernel.id}`)).status, 204);
    await waitUntil("the shut-down kernel exited", () => !alive(pid));
    assert.deepEqual((await api(second, "GET", "api/sessions")).body, []);
    await second.stop();
  });

  test("a server SIGKILLed mid-cell: after the restart the journal holds the whole output, once, and so does the notebook", async () => {
    const first = await start();
    const cell = { id: "cell-long", cell_type: "code", metadata: {}, source: "", outputs: [], execution_count: null };
    assert.equal(
      (await api(first, "PUT", "api/contents/long.ipynb", { type: "notebook", content: { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] } }))
        .status,
      201,
    );
    const session = await openSession(first, "long.ipynb");
    const kernel = connect(first, session.kernel.id);
    const marker = path.join(stateDir, "cell-finished");
    const code = [
      "for (let i = 0; i < 8; i++) { console.log(`line ${i}`); await new Promise((r) => setTimeout(r, 300)); }",
      `process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(marker)}, "done");`,
      '"finished"',
    ].join("\n");
    const future = kernel.requestExecute({ code, store_history: true }, true, { cellId: "cell-long" });
    future.done.catch(() => undefined); // the connection dies with the server
    const journal = async (s: RunningServer) =>
      executionsResponse.parse((await api(s, "GET", `api/lightbook/kernels/${session.kernel.id}/executions`)).body).executions;
    const printed = async () => JSON.stringify((await journal(first)).at(-1)?.messages ?? []).includes("line 1");
    for (const end = Date.now() + 30_000; !(await printed()); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end) assert.fail("the cell never printed line 1");
    }
    first.process.kill("SIGKILL");
    // The rest of the output is published while no server listens.
    await waitUntil("the cell finished with no server", () => existsSync(marker), 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}; kernel log:\n${readFileSync(path.join(stateDir, "runtime", `kernel-${session.kernel.id}.log`), "utf8")}`);
    });

    const second = await start();
    const [execution, ...others] = await journal(second);
    assert.equal(others.length, 0);
    assert.equal(execution!.state, "done");
    assert.equal(execution!.cell_id, "cell-long");
    assert.equal(execution!.notebook_path, "long.ipynb");
    const streams = execution!.messages.filter((m) => m.msg_type === "stream").map((m) => (m.content as { text: string }).text);
    assert.deepEqual(streams, [Array.from({ length: 8 }, (_, i) => `line ${i}\n`).join("")]);
    const results = execution!.messages.filter((m) => m.msg_type === "execute_result");
    assert.equal(results.length, 1);
    // The new server's runner followed the cell from the journal on and stored all of it.
    type StoredCell = { outputs: { output_type: string; text?: string | string[] }[]; execution_count: number | null };
    const stored = async () => ((await api(second, "GET", "api/contents/long.ipynb")).body as { content: { cells: StoredCell[] } }).content.cells[0]!;
    for (
      const end = Date.now() + 30_000;
      !(await stored()).outputs.some((o) => o.output_type === "execute_result");
      await new Promise((r) => setTimeout(r, 100))
    ) {
      if (Date.now() > end) assert.fail(`the notebook never held the cell's result: ${JSON.stringify(await stored())}`);
    }
    const outputs = (await stored()).outputs;
    assert.deepEqual(
      outputs.map((o) => o.output_type),
      ["stream", "execute_result"],
    );
    assert.equal([outputs[0]!.text ?? ""].flat().join(""), Array.from({ length: 8 }, (_, i) => `line ${i}\n`).join(""));
    assert.equal((await api(second, "DELETE", `api/kernels/${session.kernel.id}`)).status, 204);
    await second.stop();
  });

  test("a kernel that died while the server was down is reported dead, restarts, and its notebook is untouched", async () => {
    const first = await start();
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: "c1", cell_type: "code", metadata: {}, source: "1 + 1", outputs: [], execution_count: null }],
    };
    assert.equal((await api(first, "PUT", "api/contents/dies.ipynb", { type: "notebook", content: notebook })).status, 201);
    const session = await openSession(first, "dies.ipynb");
    const pid = kernelPid(session.kernel.id)!;
    assert.equal(await first.stop(), 0);
    process.kill(pid, "SIGKILL");
    await waitUntil("the kernel died", () => !alive(pid));

    const second = await start();
    assert.equal(kernelModel.parse((await api(second, "GET", `api/kernels/${session.kernel.id}`)).body).execution_state, "dead");
    assert.equal(sessionModel.parse((await api(second, "GET", `api/sessions/${session.id}`)).body).kernel.execution_state, "dead");
    assert.deepEqual(((await api(second, "GET", "api/contents/dies.ipynb")).body as { content: unknown }).content, notebook);
    const restarted = await api(second, "POST", `api/kernels/${session.kernel.id}/restart`);
    assert.equal(restarted.status, 200);
    // idle or still busy with the server's own kernel_info nudges; not dead any more.
    assert.notEqual(kernelModel.parse(restarted.body).execution_state, "dead");
    assert.equal(result(await execute(connect(second, session.kernel.id), "1 + 1")), "2");
    assert.equal((await api(second, "DELETE", `api/kernels/${session.kernel.id}`)).status, 204);
    await second.stop();
  });
});
