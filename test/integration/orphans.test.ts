import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { startServer } from "../support/server.ts";

function kernelPids(kernelId: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", `kernel-${kernelId}.json`], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

test("kernels exit when the server that started them is killed", async () => {
  const server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
  try {
    const res = await fetch(`${server.url}api/kernels`, { method: "POST", headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json" }, body: "{}" });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    assert.equal(kernelPids(id).length, 1, "the kernel process runs");
    server.process.kill("SIGKILL");
    const deadline = Date.now() + 15_000;
    while (kernelPids(id).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(kernelPids(id), [], "the orphaned kernel exited");
  } finally {
    await server.dispose();
  }
});
