// Issue 13, item 4: with LIGHTBOOK_KERNEL_ISOLATION=users each user's kernels run as their own
// Unix account, and a cell reaches neither the server's secrets nor its state directory, another
// user's home, the database or other users' processes. Needs root (CI runs as root); skips otherwise.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { rmdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { KernelManager, type Kernel } from "@jupyterlab/services";
import { kernelAccountOf } from "../../server/kernels/provisioner.ts";
import { cpuLimiter } from "../../server/kernels/cpu-limit.ts";
import { TOKEN_SCOPES, createdToken } from "../../contracts/accounts.ts";
import { CookieJar } from "../support/cookies.ts";
import { serverSettings } from "../support/jupyter.ts";
import { execute, streamText, type Run } from "../support/kernel-runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const ROOT = process.getuid?.() === 0;
const PASSWORD = "a long enough password";
const CPUS = 0.25;

/** What a cell finds when it tries `what`: "ok", or the error's code. */
const PROBE = `
import { readdirSync, readFileSync } from "node:fs";
const probe = (what: () => unknown): string => { try { what(); return "ok"; } catch (e) { return String((e as { code?: string }).code ?? e); } };
`;

/** The cell's last line on stdout (what it printed last; a warning on stderr is not in it). */
function lastLine(run: Run): string {
  const out = run.iopub.filter((m) => m.header.msg_type === "stream" && (m.content as { name: string }).name === "stdout");
  return out
    .map((m) => (m.content as { text: string }).text)
    .join("")
    .trim()
    .split("\n")
    .at(-1)!;
}

describe("kernels isolated per user", { skip: ROOT ? false : "needs root to create the kernels' Unix accounts (CI runs as root)" }, () => {
  let server: RunningServer;
  const kernels: KernelManager[] = [];
  let alice: Kernel.IKernelConnection;
  let aliceId: string;
  let bobId: string;

  before(async () => {
    // The embedded PostgreSQL: its socket is private, as on a fresh installation.
    server = await startServer({
      databaseUrl: null,
      web: false,
      env: {
        LIGHTBOOK_KERNEL_ISOLATION: "users",
        LIGHTBOOK_KERNEL_MEMORY_MB: "1024",
        LIGHTBOOK_KERNEL_CPUS: String(CPUS),
        LIGHTBOOK_LOCAL_AGENTS: "0",
        LIGHTBOOK_DEMO: "1",
      },
    });
    const admin = { Authorization: `token ${server.token}`, "Content-Type": "application/json" };
    const userKernel = async (username: string) => {
      const created = await fetch(new URL("api/lightbook/admin/users", server.url), {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ username, role: "user", password: PASSWORD }),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const login = await fetch(new URL("login", server.url), {
        method: "POST",
        body: new URLSearchParams({ username, password: PASSWORD, next: "/" }),
        redirect: "manual",
      });
      const jar = new CookieJar().take(login);
      const res = await fetch(new URL("api/lightbook/tokens", server.url), {
        method: "POST",
        headers: { cookie: jar.header(), "X-XSRFToken": jar.get("_xsrf")!, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "t", scopes: [...TOKEN_SCOPES] }),
      });
      const token = createdToken.parse(await res.json());
      const manager = new KernelManager({ serverSettings: serverSettings(server, token.token) });
      kernels.push(manager);
      return { id, kernel: await manager.startNew({ name: "lightbook-ts" }) };
    };
    ({ id: aliceId, kernel: alice } = await userKernel("alice"));
    ({ id: bobId } = await userKernel("bob"));
  });
  after(async () => {
    for (const k of kernels) {
      await k.shutdownAll();
      k.dispose();
    }
    await server?.dispose();
    // The accounts were made for this test's users: system uids are few, leave none behind.
    for (const id of [aliceId, bobId]) if (id) execFileSync("userdel", ["--force", kernelAccountOf(id)]);
    // Their CPU groups too, where the kernels have left them (a group still holding a process stays).
    const groups = (await cpuLimiter(CPUS)).kind ? ["/sys/fs/cgroup/cpu/lightbook-kernels", "/sys/fs/cgroup/lightbook-kernels"] : [];
    for (const base of groups) for (const id of [aliceId, bobId]) if (id) await rmdir(path.join(base, kernelAccountOf(id))).catch(() => undefined);
  });

  test("a cell runs as its user's own account, in a home only they can read", async () => {
    const uid = Number(execFileSync("id", ["-u", kernelAccountOf(aliceId)], { encoding: "utf8" }).trim());
    const run = await execute(
      alice,
      `console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(), cwd: process.cwd() }))`,
    );
    const seen = JSON.parse(lastLine(run)) as { uid: number; gid: number; groups: number[]; cwd: string };
    assert.equal(seen.uid, uid);
    assert.notEqual(seen.uid, 0);
    assert.deepEqual(
      seen.groups.filter((g) => g !== seen.gid),
      [],
      "no supplementary groups",
    );
    assert.match(seen.cwd, new RegExp(`/${kernelAccountOf(aliceId)}$`));
  });

  test("a cell cannot read the server's environment or state directory, another user's home, the database or the server's /proc", async () => {
    const state = server.stateDir;
    const run = await execute(
      alice,
      `${PROBE}
console.log(JSON.stringify({
  database: process.env.DATABASE_URL ?? null,
  token: (process.env.LIGHTBOOK_TOKEN ?? "").startsWith("lbt_") && process.env.LIGHTBOOK_TOKEN !== ${JSON.stringify(server.token)},
  stateDir: probe(() => readdirSync(${JSON.stringify(state)})),
  runtime: probe(() => readdirSync(${JSON.stringify(`${state}/runtime`)})),
  postgres: probe(() => readdirSync(${JSON.stringify(`${state}/postgres`)})),
  bob: probe(() => readdirSync(${JSON.stringify(`${state}/homes/${kernelAccountOf(bobId)}`)})),
  serverEnviron: probe(() => readFileSync("/proc/${server.process.pid}/environ")),
  data: probe(() => readFileSync(process.env.LIGHTBOOK_DATA_ROOT + "/demo/scan_0001.h5")),
}));`,
    );
    assert.deepEqual(JSON.parse(lastLine(run)), {
      database: null,
      token: true,
      stateDir: "EACCES",
      runtime: "EACCES",
      postgres: "EACCES",
      bob: "EACCES",
      serverEnviron: "EACCES",
      data: "ok",
    });
  });

  test("cells import the analysis library from the user's home, and allocations past the limit fail in the cell", async () => {
    const lib = await execute(alice, `import { openH5 } from "lightbook/analysis";\nconsole.log(typeof openH5);`);
    assert.equal(streamText(lib).trim(), "function");
    // Reserved, not touched: the watchdog (resident memory) sees nothing; the rlimit refuses the allocation.
    const hog = await execute(alice, "const hoard: Buffer[] = []; for (let i = 0; i < 64; i++) hoard.push(Buffer.allocUnsafe(256 * 2 ** 20));");
    assert.equal(hog.reply.status, "error");
    assert.equal((await execute(alice, "console.log(1 + 1)")).reply.status, "ok");
  });

  test("a user's kernels share a CPU-bounded cgroup: a cell that spins is throttled to the quota", async () => {
    const cpu = await cpuLimiter(CPUS);
    if (!cpu.kind) return assert.ok(true, `no cgroup CPU bound on this host: ${cpu.why}`);
    const group = (await cpu.group(kernelAccountOf(aliceId)))!;
    const joined = await execute(
      alice,
      `import { readFileSync } from "node:fs";
import { rmdir } from "node:fs/promises";\nconsole.log(readFileSync("/proc/self/cgroup", "utf8"));`,
    );
    assert.match(streamText(joined), new RegExp(`lightbook-kernels/${kernelAccountOf(aliceId)}\\n`));
    const throttled = () => Number(/nr_throttled (\d+)/.exec(readFileSync(path.join(group.dir, "cpu.stat"), "utf8"))![1]);
    const before = throttled();
    // Half a second of CPU at a quarter of a core: most of its periods are throttled.
    assert.equal((await execute(alice, "const end = process.cpuUsage().user + 500_000; while (process.cpuUsage().user < end);")).reply.status, "ok");
    assert.ok(throttled() > before, `throttled ${before} -> ${throttled()}`);
  });
});
