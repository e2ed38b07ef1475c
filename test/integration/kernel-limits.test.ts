/**
 * A kernel's limits through the real server: output past the cap arrives truncated with a note,
 * and a kernel that runs out of memory, in the JavaScript heap or outside it, is reported dead and
 * runs again after a restart.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KernelManager, type Kernel } from "@jupyterlab/services";
import { serverSettings } from "../support/jupyter.ts";
import { execute, result, streamText, waitFor } from "../support/kernel-runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";

describe("kernel limits through the server", () => {
  let server: RunningServer;
  let kernels: KernelManager;
  let kernel: Kernel.IKernelConnection;

  before(async () => {
    server = await startServer({ web: false, env: { LIGHTBOOK_KERNEL_MEMORY_MB: "512", LIGHTBOOK_KERNEL_OUTPUT_LIMIT: "20000" } });
    kernels = new KernelManager({ serverSettings: serverSettings(server) });
    kernel = await kernels.startNew({ name: "lightbook-ts" });
  });
  after(async () => {
    kernels?.dispose();
    await server.dispose();
  });

  test("a cell printing a million lines arrives truncated with a note", async () => {
    const run = await execute(kernel, "for (let i = 0; i < 1_000_000; i++) console.log(i);");
    const text = streamText(run);
    assert.ok(text.length < 21_000, `${text.length} characters arrived`);
    assert.match(text, /\[output truncated: [\d,]+ more characters past the limit of 20,000 per cell/);
  });

  /** Runs `hoarding` after a cell that keeps state; the kernel must be reported dead, and come back fresh on restart. */
  async function exhaustAndRestart(hoarding: string): Promise<void> {
    await execute(kernel, "const kept = 'state';");
    void kernel.requestExecute({ code: hoarding }).done.catch(() => undefined);
    await waitFor(
      async () => {
        const res = await fetch(`${server.url}api/kernels/${kernel.id}`, { headers: { Authorization: `token ${server.token}` } });
        return ((await res.json()) as { execution_state: string }).execution_state === "dead";
      },
      "the kernel to be reported dead",
      60_000,
    );
    const restarted = await fetch(`${server.url}api/kernels/${kernel.id}/restart`, { method: "POST", headers: { Authorization: `token ${server.token}` } });
    assert.equal(restarted.status, 200);
    const revived = kernels.connectTo({ model: { id: kernel.id, name: kernel.name } });
    await waitFor(async () => revived.connectionStatus === "connected" && revived.status === "idle", "the new connection");
    assert.equal(result(await execute(revived, "typeof kept")), "'undefined'");
    kernel.dispose();
    kernel = revived;
  }

  test("a kernel out of memory is reported dead and restarts", async () => {
    await exhaustAndRestart("const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(1_000_000).fill(1.5));");
  });

  test("a kernel out of memory outside the JavaScript heap (Buffer.alloc) is reported dead and restarts", async () => {
    await exhaustAndRestart("const buffers: Buffer[] = [];\nwhile (true) buffers.push(Buffer.alloc(64 * 2 ** 20, 1));");
  });
});
