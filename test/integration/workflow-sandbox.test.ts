import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { ResultModel, RunModel, TaskModel } from "../../contracts/runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/** Issue 12 item 2: shipped functions run in a sandbox child process, not in the agent. */
let server: RunningServer;
let agent: AgentProcess;
let outside: string;
const asRoot = process.getuid?.() === 0;
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
  agent = spawnAgent(server.databaseUrl, "sandbox-agent", { concurrency: 2, dataRoot: `${server.stateDir}/data` });
  await agentReady(agent);
  outside = await mkdtemp(path.join(os.tmpdir(), "lightbook-outside-"));
  await writeFile(path.join(outside, "secret.txt"), "not for shipped code", { mode: 0o644 });
});
after(async () => {
  stopProcess(agent.process, "SIGTERM");
  await agent.exited;
  await server.dispose();
  await rm(outside, { recursive: true, force: true });
});

/** One run with a one-task step per shipped function; each step's task, by step id. */
async function runEach(
  sources: Record<string, string>,
  input: unknown = { kind: "range", start: 0, stop: 1 },
): Promise<Map<string, TaskModel & { value?: unknown }>> {
  const run = await submitRun(server, { recipe: { steps: Object.entries(sources).map(([id, source]) => ({ id, source, max_attempts: 1, input })) } });
  await waitForRun(server, run.id, 60_000);
  const { body } = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}`);
  const results = (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results`)).body.results;
  return new Map(body.tasks!.map((t) => [t.step, { ...t, value: results.find((r) => r.partition === t.partition)?.value }]));
}

const ACCESS_DENIED = /ERR_ACCESS_DENIED|Access to this API has been restricted/;

test("the one-line escape from node:vm reaches only the sandbox's process: no database credentials in its environment", { timeout: 90_000 }, async () => {
  const t = await runEach({
    url: "(x) => (function(){}).constructor.constructor('return process')().env.DATABASE_URL ?? null",
    env: "(x) => Object.keys((function(){}).constructor.constructor('return process')().env).sort()",
    pid: "(x) => [process.pid, process.ppid]",
  });
  assert.equal(t.get("url")!.state, "succeeded", t.get("url")!.error ?? "");
  assert.deepEqual(t.get("url")!.value, [null]);
  const keys = (t.get("env")!.value as string[][])[0]!;
  assert.ok(!keys.some((k) => k === "DATABASE_URL" || k.startsWith("PG") || k.startsWith("LIGHTBOOK_")), keys.join(","));
  assert.ok(
    keys.every((k) => ["HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "GLIBC_TUNABLES", "NODE_CHANNEL_FD", "NODE_CHANNEL_SERIALIZATION_MODE"].includes(k)),
    keys.join(","),
  );
  const [pid, ppid] = (t.get("pid")!.value as number[][])[0]!;
  assert.notEqual(pid, agent.process.pid, "a separate process");
  assert.equal(ppid, agent.process.pid, "a child of the agent");
});

test("files outside the data root, writes outside the scratch folder and child processes are refused; the data root reads", { timeout: 90_000 }, async () => {
  const secret = path.join(outside, "secret.txt");
  const t = await runEach({
    passwd: "() => process.getBuiltinModule('fs').readFileSync('/etc/passwd', 'utf8')",
    outside: `() => process.getBuiltinModule('fs').readFileSync(${JSON.stringify(secret)}, 'utf8')`,
    agentEnv: `() => process.getBuiltinModule('fs').readFileSync('/proc/${agent.process.pid}/environ', 'utf8')`,
    exec: "() => (function(){}).constructor.constructor('return process')().getBuiltinModule('child_process').execSync('id').toString()",
    writeData: "(x, p, ctx) => process.getBuiltinModule('fs').writeFileSync(ctx.dataRoot + '/planted.txt', 'x')",
    writeTmp: "() => process.getBuiltinModule('fs').writeFileSync('/tmp/planted-by-shipped-code.txt', 'x')",
    scratch: "() => { process.getBuiltinModule('fs').writeFileSync('out.txt', 'kept until the task ends'); return process.cwd(); }",
    data: "(x, p, ctx) => process.getBuiltinModule('fs').statSync(ctx.dataRoot + '/demo/scan_0001.h5').size",
  });
  for (const step of ["passwd", "outside", "agentEnv", "exec", "writeData", "writeTmp"]) {
    assert.equal(t.get(step)!.state, "failed", `${step} must fail`);
    assert.match(t.get(step)!.error ?? "", ACCESS_DENIED, step);
  }
  assert.ok(!existsSync(`${server.stateDir}/data/planted.txt`) && !existsSync("/tmp/planted-by-shipped-code.txt"));
  assert.equal(t.get("scratch")!.state, "succeeded", t.get("scratch")!.error ?? "");
  const cwd = (t.get("scratch")!.value as string[])[0]!;
  assert.match(cwd, /lightbook-sandbox-.*task-/);
  assert.ok(!existsSync(cwd), "the task's scratch folder is removed when the task ends");
  assert.deepEqual(t.get("data")!.value, [statSync(`${server.stateDir}/data/demo/scan_0001.h5`).size]);
});

test(
  "as root, shipped code runs as its run's own Unix user, not root or nobody, and cannot reach the database's port",
  { skip: !asRoot && "the agent is not root", timeout: 90_000 },
  async () => {
    const port = new URL(server.databaseUrl).port || "5432";
    const t = await runEach({
      ids: "() => [process.getuid(), process.getgid(), process.getgroups()]",
      connect: `() => new Promise((resolve, reject) => { const s = process.getBuiltinModule('net').connect(${port}, '127.0.0.1'); s.on('connect', () => { s.destroy(); resolve('connected'); }); s.on('error', reject); })`,
    });
    // The server's token is its admin's: an admin's personal run runs as the admin's run user (identity.ts).
    const { rows } = await withDb(server.databaseUrl, (c) =>
      c.query<{ run_uid: number }>('select u.run_uid from run r join "user" u on u.id = r.owner_id order by r.created_at desc limit 1'),
    );
    const uid = 1_500_000_000 + 2 * rows[0]!.run_uid + 1;
    assert.deepEqual(t.get("ids")!.value, [[uid, uid, [uid]]]);
    assert.equal(t.get("connect")!.state, "failed");
    assert.match(t.get("connect")!.error ?? "", /ENETUNREACH|ECONNREFUSED/);
  },
);

/** Sandbox children of the agent, with their CPU time in clock ticks (/proc: this machine's init does not reap orphans). */
function sandboxChildren(): { pid: number; ticks: number; state: string }[] {
  const out: { pid: number; ticks: number; state: string }[] = [];
  for (const pid of readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (comm.startsWith("lightbook-sandb") && Number(f[1]) === agent.process.pid) out.push({ pid, state: f[0]!, ticks: Number(f[11]) + Number(f[12]) });
  }
  return out;
}

test("cancelling a run kills its shipped function mid-loop within heartbeats and stores no result", { timeout: 90_000 }, async () => {
  const run = await submitRun(server, {
    recipe: {
      steps: [
        {
          id: "spin",
          source: "(x) => { const end = Date.now() + 60000; while (Date.now() < end); return 'finished'; }",
          max_attempts: 1,
          input: { kind: "range", start: 0, stop: 1 },
        },
      ],
    },
  });
  // The spinning child: the one that burns CPU (the spare and idle children sleep).
  let spinning: number | undefined;
  await waitFor(
    () => (spinning = sandboxChildren().find((c) => c.ticks > 100 && c.state === "R")?.pid) !== undefined,
    30_000,
    () => `no spinning sandbox child: ${JSON.stringify(sandboxChildren())}`,
  );
  assert.equal((await api(server, "DELETE", `/api/lightbook/runs/${run.id}`)).status, 204);
  // Far sooner than the loop's minute: the agent kills the child when its heartbeat sees the run cancelled.
  await waitFor(
    () => !existsSync(`/proc/${spinning}`),
    20_000,
    () => `the sandbox child ${spinning} still runs`,
  );
  await waitFor(
    async () => (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.counts.running === 0,
    20_000,
    () => "the task still runs",
  );
  await withDb(server.databaseUrl, async (c) => {
    assert.equal((await c.query("select 1 from result where run_id = $1", [run.id])).rowCount, 0, "no result stored");
    assert.deepEqual((await c.query("select state::text from task where run_id = $1", [run.id])).rows, [{ state: "cancelled" }]);
  });
});

test(
  "a function that throws, a source that does not compile and a child that exits fail their tasks clearly; the agent goes on",
  { timeout: 90_000 },
  async () => {
    const t = await runEach({
      throws: "(x) => { throw new RangeError('item ' + x + ' is out of range'); }",
      syntax: "(x) => {",
      exits: "() => process.exit(3)",
      unsendable: "() => () => 1",
    });
    assert.match(t.get("throws")!.error ?? "", /^attempt 1: RangeError: item 0 is out of range$/);
    assert.match(t.get("syntax")!.error ?? "", /SourceFunctionError: the function's source does not compile/);
    assert.match(t.get("exits")!.error ?? "", /SandboxExitError: the shipped function's process ended before answering: it exited with code 3/);
    assert.match(t.get("unsendable")!.error ?? "", /the function's result cannot be sent back to the agent/);
    const again = await runEach({ ok: "(x) => x + 1" });
    assert.deepEqual(again.get("ok")!.value, [1]);
  },
);

test("tasks that start together each get their own child; a step's later tasks reuse them", { timeout: 90_000 }, async () => {
  // Twice, so that the second run starts while a spare child waits (two tasks once took the same spare and hung).
  for (let i = 0; i < 2; i++) {
    const run = await submitRun(server, {
      recipe: {
        steps: [
          { id: "s", source: "(x) => new Promise((resolve) => setTimeout(() => resolve(process.pid), 50))", input: { kind: "range", start: 0, stop: 8 } },
        ],
      },
    });
    const done = await waitForRun(server, run.id, 60_000);
    assert.equal(done.state, "succeeded", done.error ?? "");
    const pids = new Set(
      (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results`)).body.results.flatMap((r) => r.value as number[]),
    );
    // One child per slot (the agent has 2), reused for the run's 8 tasks.
    assert.ok(pids.size >= 1 && pids.size <= 2, `children used: ${[...pids].join(", ")}`);
  }
});

test("numbers from shipped functions are unchanged: typed arrays and frames round-trip, as the named frame-sum computes", { timeout: 90_000 }, async () => {
  const frames = { kind: "frames", file: "demo/scan_0001.h5", dataset: "/entry/data/data", start: 0, stop: 2 };
  const run = await submitRun(server, {
    recipe: {
      steps: [
        { id: "named", algorithm: "frame-sum", chunk: 2, input: frames },
        { id: "shipped", source: "(f) => { let s = 0; for (let i = 0; i < f.data.length; i++) s += f.data[i]; return s; }", chunk: 2, input: frames },
        { id: "pixels", source: "(f) => f.data", chunk: 2, input: frames },
        { id: "floats", source: "(i) => new Float64Array([i / 3, Math.PI, 1e-300, -0])", input: { kind: "range", start: 0, stop: 2 }, chunk: 2 },
      ],
    },
  });
  const done = await waitForRun(server, run.id, 60_000);
  assert.equal(done.state, "succeeded", done.error ?? "");
  const results = (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results?binary=1`)).body.results;
  const byStep = (s: string) => results.find((r) => r.step === s)!;
  assert.deepEqual(byStep("shipped").value, byStep("named").value);
  const { openH5 } = await import("../../analysis/index.ts");
  const h5 = await openH5("demo/scan_0001.h5", { root: `${server.stateDir}/data` });
  try {
    const frame = h5.dataset("/entry/data/data").frame(1);
    const pixels = byStep("pixels").array!;
    assert.equal(pixels.dtype, frame.data.constructor.name.replace("Array", "").toLowerCase());
    const bytes = Buffer.from(pixels.base64, "base64");
    const rowBytes = bytes.length / 2;
    assert.deepEqual(
      new Uint8Array(bytes.subarray(rowBytes)),
      new Uint8Array((frame.data as Uint32Array).buffer, (frame.data as Uint32Array).byteOffset, rowBytes),
    );
  } finally {
    h5.close();
  }
  const floats = byStep("floats").array!;
  assert.deepEqual([floats.dtype, floats.shape], ["float64", [2, 4]]);
  const values = new Float64Array(new Uint8Array(Buffer.from(floats.base64, "base64")).buffer);
  assert.deepEqual([...values], [0, Math.PI, 1e-300, -0, 1 / 3, Math.PI, 1e-300, -0]);
});
