import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { ContentsManager, KernelManager, KernelSpecManager, ServerConnection, SessionManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { startServer, type RunningServer } from "../support/server.ts";
import { serverSettings } from "../support/jupyter.ts";
import { execute, result, streamText, waitFor } from "../support/kernel-runs.ts";

describe("kernels and sessions through @jupyterlab/services", () => {
  let server: RunningServer;
  let settings: ServerConnection.ISettings;
  let kernels: KernelManager;
  let sessions: SessionManager;
  let kernel: Kernel.IKernelConnection;

  before(async () => {
    server = await startServer({ web: false });
    settings = serverSettings(server);
    kernels = new KernelManager({ serverSettings: settings });
    sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  });
  after(async () => {
    sessions?.dispose();
    kernels?.dispose();
    await server.dispose();
  });

  test("the TypeScript kernelspec is the default", async () => {
    const specs = new KernelSpecManager({ serverSettings: settings });
    await specs.ready;
    assert.equal(specs.specs?.default, "lightbook-ts");
    assert.equal(specs.specs?.kernelspecs["lightbook-ts"]?.language, "typescript");
    specs.dispose();
  });

  test("a session starts a kernel that runs TypeScript cells with state", async () => {
    const session = await sessions.startNew({ path: "work.ipynb", name: "work.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
    kernel = session.kernel!;
    const again = await sessions.startNew({ path: "work.ipynb", name: "work.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
    assert.equal(again.id, session.id, "one session per path");
    const info = await kernel.info;
    assert.equal(info.language_info.name, "typescript");

    const first = await execute(kernel, 'const energy: number = 12.4;\nconsole.log("keV", energy);\nenergy * 2');
    assert.equal(first.reply.status, "ok");
    assert.equal(streamText(first), "keV 12.4\n");
    assert.equal(result(first), "24.8");
    const states = first.iopub.filter((m) => m.header.msg_type === "status").map((m) => (m.content as { execution_state: string }).execution_state);
    assert.deepEqual([states[0], states.at(-1)], ["busy", "idle"]);

    const second = await execute(kernel, "const wavelength = 12.398 / energy;\nawait new Promise((r) => setTimeout(r, 10));\nwavelength.toFixed(3)");
    assert.equal(result(second), "'1.000'");
  });

  test("kernels start with the kernelspec's env (glibc tuned to reuse freed frames)", async () => {
    const run = await execute(kernel, "process.env.GLIBC_TUNABLES");
    assert.match(String(result(run)), /glibc\.malloc\.mmap_threshold=268435456/);
  });

  test("a thrown error becomes an error reply with a traceback", async () => {
    const run = await execute(kernel, "const a = 1;\nthrow new RangeError('detector saturated');");
    assert.equal(run.reply.status, "error");
    const err = run.iopub.find((m) => m.header.msg_type === "error")!.content as KernelMessage.IErrorMsg["content"];
    assert.equal(err.ename, "RangeError");
    assert.equal(err.evalue, "detector saturated");
    assert.ok(err.traceback.join("\n").includes("detector saturated"));
  });

  test("interrupt stops a busy loop and keeps the kernel's state", async () => {
    const future = kernel.requestExecute({ code: 'display("looping");\nwhile (true) {}' });
    await looping(future);
    await kernel.interrupt();
    const reply = await future.done;
    assert.equal(reply.content.status, "error");
    const after = await execute(kernel, "energy");
    assert.equal(result(after), "12.4");
  });

  test("interrupt stops a synchronous loop after the cell's first await", async () => {
    const future = kernel.requestExecute({ code: 'await new Promise((r) => setTimeout(r, 1));\ndisplay("looping");\nwhile (true) {}' });
    await looping(future);
    await kernel.interrupt();
    const reply = await future.done;
    assert.equal(reply.content.status, "error");
    assert.equal((reply.content as KernelMessage.IReplyErrorContent).ename, "KeyboardInterrupt");
    assert.equal(result(await execute(kernel, "energy")), "12.4");
  });

  test("restart clears the state and the kernel runs again", async () => {
    await kernel.restart();
    await waitFor(async () => kernel.status === "idle", "idle after restart");
    const run = await execute(kernel, "typeof energy");
    assert.equal(result(run), "'undefined'");
  });

  test("a kernel process that dies is reported dead, and restarts; the saved notebook is intact", async () => {
    const contents = new ContentsManager({ serverSettings: settings });
    const run = await execute(kernel, "console.log('saved output')");
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: "a",
          cell_type: "code",
          metadata: {},
          source: "console.log('saved output')",
          execution_count: 1,
          outputs: [{ output_type: "stream", name: "stdout", text: streamText(run) }],
        },
      ],
    };
    await contents.save("work.ipynb", { type: "notebook", format: "json", content: nb });

    execFileSync("pkill", ["-KILL", "-f", `kernel-${kernel.id}.json`]);
    await waitFor(async () => {
      const res = await fetch(`${server.url}api/kernels/${kernel.id}`, { headers: { Authorization: `token ${server.token}` } });
      return ((await res.json()) as { execution_state: string }).execution_state === "dead";
    }, "the kernel to be reported dead");

    const restarted = await fetch(`${server.url}api/kernels/${kernel.id}/restart`, { method: "POST", headers: { Authorization: `token ${server.token}` } });
    assert.equal(restarted.status, 200);
    assert.equal(((await restarted.json()) as { execution_state: string }).execution_state, "idle");
    assert.equal(kernel.status, "dead", "the old connection saw the death");
    // As a UI does after a death: a new connection to the restarted kernel.
    const revived = kernels.connectTo({ model: { id: kernel.id, name: kernel.name } });
    await waitFor(async () => revived.connectionStatus === "connected" && revived.status === "idle", "the new connection");
    assert.equal(result(await execute(revived, "1 + 1")), "2");
    revived.dispose();
    assert.deepEqual((await contents.get("work.ipynb")).content, nb);
    contents.dispose();
  });

  test("unknown kernel names and ids answer 404 with a message", async () => {
    const headers = { Authorization: `token ${server.token}`, "Content-Type": "application/json" };
    const unknownName = await fetch(`${server.url}api/kernels`, { method: "POST", headers, body: JSON.stringify({ name: "python99" }) });
    assert.equal(unknownName.status, 404);
    assert.match(((await unknownName.json()) as { message: string }).message, /No such kernel: "python99"; available: lightbook-ts/);
    for (const path of ["api/kernels/00000000-0000-0000-0000-000000000000", "api/sessions/nope"]) {
      const res = await fetch(`${server.url}${path}`, { headers });
      assert.equal(res.status, 404, path);
    }
    const interrupt = await fetch(`${server.url}api/kernels/nope/interrupt`, { method: "POST", headers });
    assert.equal(interrupt.status, 404);
    const session = await fetch(`${server.url}api/sessions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ path: "x.ipynb", type: "notebook", kernel: { name: "nope" } }),
    });
    assert.equal(session.status, 404);
  });

  test("shutting a session down stops its kernel", async () => {
    const s = await sessions.startNew({ path: "short.ipynb", name: "short.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
    const id = s.kernel!.id;
    await s.shutdown();
    const res = await fetch(`${server.url}api/kernels/${id}`, { headers: { Authorization: `token ${server.token}` } });
    assert.equal(res.status, 404);
  });
});

/** Resolves when the cell has displayed "looping" (sent at once, unlike batched streams): it is in its loop, so an interrupt lands there. */
function looping(future: Kernel.IShellFuture<KernelMessage.IExecuteRequestMsg, KernelMessage.IExecuteReplyMsg>): Promise<void> {
  return new Promise((resolve) => {
    future.onIOPub = (msg) => {
      if (msg.header.msg_type === "display_data" && JSON.stringify(msg.content).includes("looping")) resolve();
    };
  });
}
