import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../server/paths.ts";
import { alive, pgrep, waitUntil } from "../support/processes.ts";

test(
  "SIGTERM to the process `npm start` runs stops the server, local agents and embedded PostgreSQL, exit code 0; its kernels end after their orphan grace",
  { timeout: 240_000 },
  async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-stop-"));
    await chmod(stateDir, 0o755);
    // As the README says, in the project folder; the settings only pick a free port and skip the web build.
    const npm = spawn("npm", ["start"], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: "",
        LIGHTBOOK_STATE_DIR: stateDir,
        LIGHTBOOK_PORT: "0",
        LIGHTBOOK_WEB: "0",
        LIGHTBOOK_DEMO: "0",
        LIGHTBOOK_LOCAL_AGENTS: "1",
        // Kernels stay for a restart to reattach them, this long.
        LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "5000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    npm.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    npm.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
    const exited = new Promise<number | string>((resolve) => npm.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    try {
      await waitUntil("the server runs", () => /Lightbook is running at (\S+)\?token=(\w+)/.test(out), 120_000);
      const [, url, token] = /Lightbook is running at (\S+)\?token=(\w+)/.exec(out)!;
      const [server] = pgrep("-P", String(npm.pid), "-f", "bin/lightbook.mjs");
      assert.ok(server, `npm runs the server itself, with no shell between:\n${out}`);
      // An HDF5 read worker answers (it loads our TypeScript although tsx was registered in-thread): a missing file is a 404, not a 500.
      const read = await fetch(`${url}api/lightbook/h5grove/meta/?file=missing.h5&path=/`, { headers: { Authorization: `token ${token}` } });
      assert.equal(read.status, 404, await read.text());
      const res = await fetch(`${url}api/kernels`, { method: "POST", headers: { Authorization: `token ${token}` }, body: "{}" });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: string };
      await waitUntil("the local agent runs", () => pgrep("-P", String(server), "-f", "agent/main.ts").length === 1, 60_000);
      const postmaster = Number((await readFile(path.join(stateDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0]);
      const pids = {
        npm: npm.pid!,
        server,
        agent: pgrep("-P", String(server), "-f", "agent/main.ts")[0]!,
        postmaster,
        ...Object.fromEntries(pgrep("-P", String(postmaster)).map((p) => [`postgres-${p}`, p])),
      };
      const kernel = pgrep("-f", `kernel-${id}.json`)[0]!;
      assert.ok(kernel, "the kernel runs");

      npm.kill("SIGTERM");
      assert.equal(await exited, 0, out);
      await waitUntil(`every process is gone: ${JSON.stringify(pids)}`, () => Object.values(pids).every((p) => !alive(p)), 30_000);
      assert.match(out, /shutting down/);
      await waitUntil("the kernel ended after its orphan grace", () => !alive(kernel), 60_000);
    } finally {
      if (npm.exitCode === null) npm.kill("SIGKILL");
      await rm(stateDir, { recursive: true, force: true });
    }
  },
);
