import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { programModel, programResult } from "../../contracts/programs.ts";
import type { ResultModel, RunModel, TaskModel } from "../../contracts/runs.ts";
import { z } from "../../contracts/zod.ts";
import { KernelManager, SessionManager } from "@jupyterlab/services";
import { serverSettings } from "../support/jupyter.ts";
import { execute, streamText } from "../support/kernel-runs.ts";
import { alive, pgrep } from "../support/processes.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 17 item 1: recipe steps that run an installed program of the administrator's allow-list,
 * on a real server, Postgres and agent. The programs are small shell commands, so each test says
 * what it checks: outputs kept once, the log and tails, refusals at submission, DIALS-style failure
 * messages, cancel and time limit killing everything the program started, the environment and
 * what the program can read.
 */
let server: RunningServer;
let agent: AgentProcess;
let dir: string;
let resultsRoot: string;
const asRoot = process.getuid?.() === 0;
/** Unique sleeps, so the test finds the processes a program started (and only those). */
const MARK = 900_000 + (process.pid % 90_000);

const shell = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  name,
  input: "file",
  commands: [{ executable: "/bin/sh", args: ["-c", script, name, "{input}"] }],
  time_limit_s: 600,
  ...extra,
});

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-programs-"));
  // Open to every user, so that what keeps the program out of other files is its isolation, not this folder's mode.
  await chmod(dir, 0o755);
  const data = path.join(dir, "data");
  resultsRoot = path.join(dir, "results");
  await mkdir(path.join(data, "p17"), { recursive: true });
  await writeFile(path.join(data, "p17/a.txt"), "alpha\n");
  await writeFile(path.join(data, "p17/b.txt"), "bravo bravo\n");
  await writeFile(path.join(data, "p17/other-proposal.txt"), "not this task's input\n", { mode: 0o644 });
  await mkdir(resultsRoot, { recursive: true });
  await writeFile(path.join(resultsRoot, "earlier.txt"), "another run's result\n", { mode: 0o644 });
  const count = 'wc -c < "$1" > size.txt; env; echo "{\\"bytes\\": $(cat size.txt), \\"label\\": \\"$2\\"}" > out.json';
  const list = {
    programs: [
      {
        name: "count",
        input: "file",
        commands: [{ executable: "/bin/sh", args: ["-c", count, "count", "{input}", "{label}"] }],
        params: { label: { type: "token", default: "none" }, level: { type: "integer", min: 1, max: 3 } },
        outputs: { files: ["size.txt"], json: "out.json" },
        time_limit_s: 600,
      },
      shell(
        "peek",
        `cat "$1" && cat ${JSON.stringify(path.join(data, "p17/other-proposal.txt"))}; cat ${JSON.stringify(path.join(resultsRoot, "earlier.txt"))}; exit 0`,
      ),
      shell("fail", 'echo "reading $1"; echo "Sorry: no reflections left to index" >&2; exit 3'),
      shell("hang", `sleep ${MARK + 1} & setsid sleep ${MARK + 2} & echo started; wait`),
      shell("slow", `sleep ${MARK + 3} & wait`, { time_limit_s: 2 }),
      shell("link", "ln -s /etc/shadow out.json", { outputs: { files: [], json: "out.json" } }),
    ],
  };
  const programs = path.join(dir, "programs.json");
  await writeFile(programs, JSON.stringify(list));
  const env = { LIGHTBOOK_PROGRAMS: programs, LIGHTBOOK_RESULTS_ROOT: resultsRoot, LIGHTBOOK_DATA_ROOT: data };
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", ...env } });
  agent = spawnAgent(server.databaseUrl, "program-agent", { concurrency: 2, dataRoot: data, env: { ...env, PGPASSWORD: "must-not-leak" } });
  await agentReady(agent, 180_000);
});
after(async () => {
  stopProcess(agent.process, "SIGTERM");
  await agent.exited;
  await server.dispose();
  await rm(dir, { recursive: true, force: true });
});

const step = (program: string, files: string[], extra: Record<string, unknown> = {}) => ({
  id: program,
  program,
  max_attempts: 1,
  input: { kind: "files", files },
  ...extra,
});

async function tasksAndResults(id: string): Promise<{ run: RunModel; tasks: TaskModel[]; results: ResultModel[] }> {
  const run = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${id}?tasks=1`)).body;
  const results = (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${id}/results`)).body.results;
  return { run, tasks: run.tasks!, results };
}

test(
  "a program step runs per file: outputs kept once with their sha256, the JSON output as the result, stdout tail and full log kept",
  { timeout: 120_000 },
  async () => {
    const run = await submitRun(server, { recipe: { steps: [step("count", ["p17/a.txt", "p17/b.txt"], { params: { label: "run-1" } })] } });
    const ended = await waitForRun(server, run.id, 90_000);
    const { tasks, results } = await tasksAndResults(run.id);
    assert.equal(ended.state, "succeeded", JSON.stringify(tasks.map((t) => t.error)));
    assert.equal(results.length, 2);
    for (const [i, want] of [6, 12].entries()) {
      const r = programResult.parse((results.find((x) => x.partition === i)!.value as unknown[])[0]);
      assert.equal(r.exit_code, 0);
      assert.deepEqual(r.json, { bytes: want, label: "run-1" });
      assert.equal(r.files.length, 1);
      const kept = await readFile(path.join(resultsRoot, r.files[0]!.path));
      assert.equal(kept.toString().trim(), String(want));
      assert.equal(r.files[0]!.sha256, createHash("sha256").update(kept).digest("hex"));
      assert.match(r.stdout_tail, /^PATH=/m);
      const log = await readFile(path.join(resultsRoot, r.log!), "utf8");
      assert.match(log, /^\$ \/bin\/sh -c/m, "the log names the command");
      assert.match(log, /^HOME=.*lightbook-program-/m, "the log holds the program's output");
    }
    const rows = await withDb(server.databaseUrl, (c) => c.query<{ n: number }>("select count(*)::int as n from result where run_id = $1::uuid", [run.id]));
    assert.equal(rows.rows[0]!.n, 2, "one result row per task");
  },
);

test("the program's environment holds no database credentials; only its own input is readable", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, { recipe: { steps: [step("count", ["p17/a.txt"]), step("peek", ["p17/a.txt"])] } });
  await waitForRun(server, run.id, 90_000);
  const { results } = await tasksAndResults(run.id);
  const env = programResult.parse((results.find((r) => r.step === "count")!.value as unknown[])[0]).stdout_tail;
  const names = env
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf("=")));
  assert.ok(!names.some((n) => n === "DATABASE_URL" || n.startsWith("PG") || n.startsWith("LIGHTBOOK_")), names.join(","));
  const peek = programResult.parse((results.find((r) => r.step === "peek")!.value as unknown[])[0]);
  assert.match(peek.stdout_tail, /^alpha$/m, "its input is readable (a copy in its scratch folder)");
  if (asRoot) {
    assert.doesNotMatch(peek.stdout_tail, /not this task's input|another run's result/);
    assert.match(peek.stderr_tail, /other-proposal\.txt: Permission denied/);
    assert.match(peek.stderr_tail, /earlier\.txt: Permission denied/);
  }
});

test("a program that is not on the allow-list, or parameters that try to escape the template, are refused at submission", { timeout: 60_000 }, async () => {
  const refused = async (s: unknown) => {
    const r = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", { recipe: { steps: [s] } });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    return r.body.message;
  };
  assert.match(await refused(step("rm", ["p17/a.txt"])), /program "rm" is not on the allow-list \(allowed: count, fail, hang, link, peek, slow\)/);
  for (const label of ['x"; rm -rf /', "$(id)", "a b", "../../etc", "`id`", "x;y"])
    assert.match(await refused(step("count", ["p17/a.txt"], { params: { label } })), /count: parameter label: letters, digits|no '\.\.'/);
  assert.match(await refused(step("count", ["p17/a.txt"], { params: { level: 9 } })), /count: parameter level/);
  assert.match(await refused(step("count", ["p17/a.txt"], { params: { executable: "/bin/rm" } })), /count: parameter executable: unknown/);
  assert.match(await refused(step("count", ["../etc/passwd"])), /relative to the data root|'\.\.'/);
  assert.match(
    await refused({ ...step("count", []), input: { kind: "range", start: 0, stop: 1 } }),
    /input kind "files"\) or on an earlier program step's results/,
  );
});

test("a program that exits non-zero fails its task with the program's own message; the other files go on", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, { recipe: { steps: [step("fail", ["p17/a.txt"]), step("count", ["p17/b.txt"])] } });
  const ended = await waitForRun(server, run.id, 90_000);
  const { tasks } = await tasksAndResults(run.id);
  assert.equal(ended.state, "failed");
  const failed = tasks.find((t) => t.step === "fail")!;
  assert.equal(failed.state, "failed");
  assert.match(failed.error ?? "", /ProgramFailedError: \/bin\/sh exited with status 3: Sorry: no reflections left to index/);
  assert.equal(tasks.find((t) => t.step === "count")!.state, "succeeded");
  assert.ok(existsSync(path.join(resultsRoot, `runs/${run.id}/${failed.partition}/a1/fail.log`)), "a failed task's full log is kept");
});

test("a declared output that is a link is refused (the agent does not read what it points at)", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, { recipe: { steps: [step("link", ["p17/a.txt"])] } });
  await waitForRun(server, run.id, 90_000);
  const { tasks } = await tasksAndResults(run.id);
  assert.match(tasks[0]!.error ?? "", /output out\.json is not a regular file/);
});

/** Live pids of the sleeps a program started (by their unique argument). */
const sleeps = (...marks: number[]) => marks.flatMap((m) => pgrep("-f", `^sleep ${m}$`));

test("cancelling a run kills the program's whole process group (and a child that left it) within a heartbeat", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, { recipe: { steps: [step("hang", ["p17/a.txt"])] } });
  const marks = asRoot ? [MARK + 1, MARK + 2] : [MARK + 1];
  let pids: number[] = [];
  await waitFor(
    () => (pids = sleeps(...marks)).length === marks.length,
    60_000,
    () => `the program's sleeps did not start: ${agent.output().slice(-2000)}`,
  );
  // While it runs, its log so far is readable over the API (what the run page links to).
  let log = "";
  await waitFor(
    async () =>
      /^started$/m.test(
        (log = await (
          await fetch(new URL(`api/lightbook/runs/${run.id}/tasks/0/log`, server.url), { headers: { Authorization: `token ${server.token}` } })
        ).text()),
      ),
    30_000,
    () => `the running program's log: ${log}`,
  );
  assert.equal((await api(server, "GET", `/api/lightbook/runs/${run.id}/tasks/0/log?attempt=7`)).status, 404);
  assert.equal((await api(server, "GET", `/api/lightbook/runs/${run.id}/tasks/1/log`)).status, 404);
  assert.equal((await api(server, "DELETE", `/api/lightbook/runs/${run.id}`)).status, 204);
  await waitFor(
    () => pids.every((p) => !alive(p)),
    10_000,
    () => `still alive after cancel: ${pids.filter(alive).join(", ")}`,
  );
  const ended = await waitForRun(server, run.id, 30_000);
  assert.equal(ended.state, "cancelled");
  const { tasks, results } = await tasksAndResults(run.id);
  assert.equal(tasks[0]!.state, "cancelled");
  assert.equal(results.length, 0);
});

test("a program past its time limit is killed with everything it started, and its task fails saying so", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, { recipe: { steps: [step("slow", ["p17/a.txt"])] } });
  let pids: number[] = [];
  await waitFor(
    () => (pids = sleeps(MARK + 3)).length === 1,
    60_000,
    () => "the slow program did not start",
  );
  const ended = await waitForRun(server, run.id, 60_000);
  assert.equal(ended.state, "failed");
  assert.ok(
    pids.every((p) => !alive(p)),
    `still alive after the time limit: ${pids.filter(alive).join(", ")}`,
  );
  const { tasks } = await tasksAndResults(run.id);
  assert.match(tasks[0]!.error ?? "", /ran past its time limit of 2 s and was killed/);
});

test("GET /api/lightbook/programs lists the allow-list and the agents that offer each program", { timeout: 60_000 }, async () => {
  const r = await api<unknown>(server, "GET", "/api/lightbook/programs");
  assert.equal(r.status, 200);
  const list = z.array(programModel).parse(r.body);
  const count = list.find((p) => p.name === "count")!;
  assert.deepEqual(count.executables, ["/bin/sh"]);
  assert.deepEqual(count.outputs, { files: ["size.txt"], json: "out.json" });
  assert.deepEqual(
    count.agents.map((a) => a.name),
    ["program-agent"],
  );
});

test("a cell reaches a program through workflow.map({ program }) and gets one result per file, in order", { timeout: 120_000 }, async () => {
  const settings = serverSettings(server);
  const kernels = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  try {
    const session = await sessions.startNew({ path: "p17.ipynb", name: "p17.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
    const cell = await execute(
      session.kernel!,
      `const r = await workflow.map(workflow.files(["p17/b.txt", "p17/a.txt"]), { program: "count" }, { label: "cell" }, { progress: false, maxAttempts: 1 });\nconsole.log(JSON.stringify(r.map((x) => x.json)));`,
    );
    assert.equal(cell.reply.status, "ok", JSON.stringify(cell.reply));
    assert.deepEqual(JSON.parse(streamText(cell).trim()), [
      { bytes: 12, label: "cell" },
      { bytes: 6, label: "cell" },
    ]);
    await session.shutdown();
  } finally {
    sessions.dispose();
    kernels.dispose();
  }
});
