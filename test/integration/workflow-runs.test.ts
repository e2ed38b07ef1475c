import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { ResultModel, RunModel } from "../../contracts/runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitFor, waitForRun, withDb, type AgentProcess } from "../support/workflow.ts";
import { runJobKeyPattern } from "../../queue/queue.ts";

/** Issue 5 over REST: idempotent submission, poison tasks, cancel, ordered results, DAG steps, metrics. */
let server: RunningServer;
let agent: AgentProcess;
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
  agent = spawnAgent(server.databaseUrl, "runs-agent", { concurrency: 2, dataRoot: `${server.stateDir}/data` });
  await agentReady(agent);
});
after(async () => {
  stopProcess(agent.process, "SIGTERM");
  await agent.exited;
  await server.dispose();
});

test("the same idempotency key twice makes one run (201, then 200 with the same id)", async () => {
  const body = { key: "scan-0001-sum", recipe: { steps: [{ id: "s", algorithm: "noop", input: { kind: "range", start: 0, stop: 3 } }] } };
  const first = await api<RunModel>(server, "POST", "/api/lightbook/runs", body);
  const second = await api<RunModel>(server, "POST", "/api/lightbook/runs", body);
  assert.equal(first.status, 201);
  assert.equal(second.status, 200);
  assert.equal(second.body.id, first.body.id);
  // The key may come as a header too; concurrent submissions still make one run.
  const viaHeader = await Promise.all(
    [1, 2, 3].map(() => api<RunModel>(server, "POST", "/api/lightbook/runs", { recipe: body.recipe }, { "Idempotency-Key": "header-key" })),
  );
  assert.equal(new Set(viaHeader.map((r) => r.body.id)).size, 1);
  assert.deepEqual(viaHeader.map((r) => r.status).sort(), [200, 200, 201]);
  const count = await withDb(server.databaseUrl, (c) => c.query("select count(*)::int as n from run where key in ('scan-0001-sum', 'header-key')"));
  assert.equal(count.rows[0].n, 2);
});

test("frame sums over the demo scan, reduced by a second step, come back in partition order", async () => {
  const run = await submitRun(server, {
    name: "demo sums",
    recipe: {
      steps: [
        { id: "sums", algorithm: "frame-sum", chunk: 3, input: { kind: "frames", file: "demo/scan_0001.h5", dataset: "/entry/data/data" } },
        { id: "total", algorithm: "sum", input: { kind: "results", step: "sums" } },
      ],
    },
  });
  assert.equal(run.steps_pending, 1);
  const done = await waitForRun(server, run.id, 60_000);
  assert.equal(done.state, "succeeded", JSON.stringify(done));
  const { body } = await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results`);
  const sums = body.results.filter((r) => r.step === "sums");
  assert.deepEqual(
    sums.map((r) => r.partition),
    [0, 1, 2],
  );
  const perFrame = sums.flatMap((r) => r.value as number[]);
  assert.equal(perFrame.length, 8);
  const total = body.results.find((r) => r.step === "total")!.value as number[];
  assert.equal(
    total[0],
    perFrame.reduce((a, b) => a + b, 0),
  );
  // The intensity of the demo's rings grows through the scan.
  for (let i = 1; i < perFrame.length; i++) assert.ok(perFrame[i]! > perFrame[i - 1]!);
});

test("a poison task fails after max_attempts with its error visible; the other partitions finish", { timeout: 120_000 }, async () => {
  const run = await submitRun(server, {
    recipe: {
      steps: [
        {
          id: "square",
          source: "(i) => { if (i === 3) throw new Error('poison item ' + i); return i * i; }",
          max_attempts: 2,
          input: { kind: "range", start: 0, stop: 10 },
        },
      ],
    },
  });
  const done = await waitForRun(server, run.id, 90_000);
  assert.equal(done.state, "failed");
  assert.equal(done.counts.succeeded, 9);
  assert.equal(done.counts.failed, 1);
  assert.match(done.error ?? "", /partition 3.*poison item 3/s);
  const { body } = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}`);
  const poison = body.tasks!.find((t) => t.partition === 3)!;
  assert.equal(poison.state, "failed");
  assert.equal(poison.attempt, 2);
  assert.match(poison.error ?? "", /attempt 2: Error: poison item 3/);
  const page = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks_after=2&tasks_limit=3`);
  assert.deepEqual(
    page.body.tasks!.map((t) => t.partition),
    [3, 4, 5],
  );
  const results = await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results`);
  assert.deepEqual(
    results.body.results.map((r) => r.value),
    [0, 1, 4, 16, 25, 36, 49, 64, 81].map((v) => [v]),
  );
});

test("DELETE cancels the pending tasks of a run and removes their jobs", { timeout: 60_000 }, async () => {
  const run = await submitRun(server, {
    recipe: { steps: [{ id: "slow", algorithm: "sleep", params: { ms: 400 }, input: { kind: "range", start: 0, stop: 40 } }] },
  });
  await waitFor(
    async () => (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.counts.succeeded >= 2,
    30_000,
    () => "no progress",
  );
  const del = await api(server, "DELETE", `/api/lightbook/runs/${run.id}`);
  assert.equal(del.status, 204);
  await waitFor(
    async () => (await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}?tasks=0`)).body.counts.running === 0,
    10_000,
    () => "tasks still running",
  );
  const { body } = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}`);
  assert.equal(body.state, "cancelled");
  assert.ok(body.counts.cancelled > 20, JSON.stringify(body.counts));
  assert.equal(body.counts.succeeded + body.counts.cancelled + body.counts.failed, 40);
  const jobs = await withDb(server.databaseUrl, (c) =>
    c.query("select count(*)::int as n from graphile_worker.jobs where key like $1", [runJobKeyPattern(run.id)]),
  );
  assert.equal(jobs.rows[0].n, 0);
});

test("bad recipes are refused with 400 naming the problem; unknown runs are 404", async () => {
  const cycle = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", {
    recipe: {
      steps: [
        { id: "a", algorithm: "noop", after: ["b"], input: { kind: "range", start: 0, stop: 1 } },
        { id: "b", algorithm: "noop", after: ["a"], input: { kind: "range", start: 0, stop: 1 } },
      ],
    },
  });
  assert.equal(cycle.status, 400);
  assert.match(cycle.body.message, /cycle/);
  const both = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", {
    recipe: { steps: [{ id: "a", algorithm: "noop", source: "() => 1", input: { kind: "range", start: 0, stop: 1 } }] },
  });
  assert.equal(both.status, 400);
  const escape = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", {
    recipe: { steps: [{ id: "a", algorithm: "frame-sum", input: { kind: "frames", file: "../etc/passwd", dataset: "/x" } }] },
  });
  assert.equal(escape.status, 400);
  assert.equal((await api(server, "GET", "/api/lightbook/runs/00000000-0000-0000-0000-000000000000")).status, 404);
  assert.equal((await api(server, "GET", "/api/lightbook/runs/not-a-uuid")).status, 404);
});

test("input files behind a symlink out of the data root are refused with 400, as the analysis library's resolver says", async () => {
  const data = `${server.stateDir}/data`;
  const outside = await mkdtemp(path.join(os.tmpdir(), "lightbook-outside-"));
  try {
    await copyFile(`${data}/demo/scan_0001.h5`, `${outside}/scan.h5`);
    await symlink(`${outside}/scan.h5`, `${data}/outside-scan.h5`);
    await symlink("/etc", `${data}/etc-link`);
    const post = (input: unknown) =>
      api<{ message: string }>(server, "POST", "/api/lightbook/runs", { recipe: { steps: [{ id: "a", algorithm: "frame-sum", input }] } });
    for (const input of [
      { kind: "frames", file: "outside-scan.h5", dataset: "/entry/data/data" },
      { kind: "frames", file: "etc-link/passwd", dataset: "/x" },
      { kind: "files", files: ["demo/scan_0001.h5", "etc-link/passwd"] },
    ]) {
      const r = await post(input);
      assert.equal(r.status, 400, JSON.stringify(input));
      assert.match(r.body.message, /the path leads outside the data root/, JSON.stringify(input));
    }
    const missing = await post({ kind: "frames", file: "demo/no-such-scan.h5", dataset: "/x" });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /no such file under the data root/);
  } finally {
    await rm(`${data}/outside-scan.h5`, { force: true });
    await rm(`${data}/etc-link`, { force: true });
    await rm(outside, { recursive: true, force: true });
  }
});

test("a later step whose input led out of the data root by the time it is ready fails the run, saying why", { timeout: 60_000 }, async () => {
  const data = `${server.stateDir}/data`;
  await copyFile(`${data}/demo/scan_0001.h5`, `${data}/later.h5`);
  const run = await submitRun(server, {
    recipe: {
      steps: [
        { id: "first", algorithm: "sleep", params: { ms: 2000 }, input: { kind: "range", start: 0, stop: 1 } },
        { id: "later", algorithm: "frame-sum", after: ["first"], input: { kind: "frames", file: "later.h5", dataset: "/entry/data/data" } },
      ],
    },
  });
  await rm(`${data}/later.h5`);
  await symlink("/etc/passwd", `${data}/later.h5`);
  try {
    const done = await waitForRun(server, run.id, 30_000);
    assert.equal(done.state, "failed");
    assert.match(done.error ?? "", /step later cannot start: the path leads outside the data root/);
  } finally {
    await rm(`${data}/later.h5`, { force: true });
  }
});

test("the task cap holds for a run, all its steps together, not per step", async () => {
  const range = { kind: "range", start: 0, stop: 60_000 };
  const r = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", {
    recipe: {
      steps: [
        { id: "a", algorithm: "noop", input: range },
        { id: "b", algorithm: "noop", after: ["a"], input: range },
      ],
    },
  });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /step b makes 60000 tasks after 60000 of its other steps; a run makes at most 100000: raise its chunk/);
  const runs = await withDb(server.databaseUrl, (c) => c.query("select count(*)::int as n from task where partition >= 50000"));
  assert.equal(runs.rows[0].n, 0, "nothing was created");
});

test("runs, agents and /metrics need the token; /metrics has the queue and agent figures", async () => {
  for (const p of ["api/lightbook/runs", "api/lightbook/agents", "metrics"]) {
    assert.equal((await fetch(new URL(p, server.url))).status, 401, p);
  }
  // Tasks ended come from the runs' counters: they agree with the task table (read before and after the scrape).
  const ended = () =>
    withDb(
      server.databaseUrl,
      async (c) =>
        (await c.query<{ state: string; n: number }>("select state::text, count(*)::int as n from task where state in ('succeeded', 'cancelled') group by 1"))
          .rows,
    );
  const before = await ended();
  const res = await fetch(new URL("metrics", server.url), { headers: { Authorization: `token ${server.token}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  const later = await ended();
  assert.match(text, /^lightbook_queue_depth \d+$/m);
  assert.match(text, /^lightbook_agents\{state="running"\} 1$/m);
  for (const state of ["succeeded", "cancelled"]) {
    const metric = Number(new RegExp(`^lightbook_tasks_ended_total\\{state="${state}"\\} (\\d+)$`, "m").exec(text)?.[1]);
    const n = (rows: { state: string; n: number }[]) => rows.find((r) => r.state === state)?.n ?? 0;
    assert.ok(n(before) > 0 && metric >= n(before) && metric <= n(later), `${state}: ${metric} vs ${n(before)}..${n(later)}`);
  }
  assert.match(text, /^lightbook_task_duration_seconds_count \d+$/m);
  const agents = await api<{ name: string; state: string; concurrency: number; completed: number }[]>(server, "GET", "/api/lightbook/agents");
  const me = agents.body.find((a) => a.name === "runs-agent")!;
  assert.equal(me.state, "running");
  assert.equal(me.concurrency, 2);
});

test("the analysis library's azint and spots-per-frame run on agents; patterns come back as arrays per frame", { timeout: 60_000 }, async () => {
  const { AzimuthalIntegrator, openH5 } = await import("../../analysis/index.ts");
  // The demo scan's geometry (server/demo/demo-scan.ts): PONI from the beam centre in pixels.
  const px = 75e-6;
  const geometry = {
    dist: 0.12,
    poni1: (128 - 2.25 + 0.5) * px,
    poni2: (128 + 3.5 + 0.5) * px,
    rot1: 0,
    rot2: 0,
    rot3: 0,
    pixel1: px,
    pixel2: px,
    shape: [256, 256] as [number, number],
    wavelength: 0.9537e-10,
  };
  const params = { geometry, npt: 100, unit: "2th_deg" };
  const run = await submitRun(server, {
    recipe: {
      steps: [
        { id: "azint", algorithm: "azint", params, chunk: 4, input: { kind: "frames", file: "demo/scan_0001.h5", dataset: "/entry/data/data" } },
        { id: "spots", algorithm: "spots-per-frame", params: {}, chunk: 8, input: { kind: "frames", file: "demo/scan_0001.h5", dataset: "/entry/data/data" } },
      ],
    },
  });
  const done = await waitForRun(server, run.id, 60_000);
  assert.equal(done.state, "succeeded", done.error ?? "");
  const { body } = await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results?step=azint`);
  assert.deepEqual(
    body.results.map((r) => [r.dtype, r.shape]),
    [
      ["float64", [4, 100]],
      ["float64", [4, 100]],
    ],
  );
  assert.match(body.results[0]!.sha256 ?? "", /^[0-9a-f]{64}$/);
  const patterns = body.results.flatMap((r) => r.value as number[][]);
  // The same frames integrated here, in this process, give the same patterns.
  const h5 = await openH5("demo/scan_0001.h5", { root: `${server.stateDir}/data` });
  try {
    const integrator = new AzimuthalIntegrator(geometry).prepare1d({ npt: 100, unit: "2th_deg" });
    const data = h5.dataset("/entry/data/data");
    for (const i of [0, 7]) {
      const frame = data.frame(i);
      assert.deepEqual(patterns[i], Array.from(integrator.integrate(frame.data as Uint32Array).intensity));
    }
  } finally {
    h5.close();
  }
  const spots = await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${run.id}/results?step=spots`);
  assert.equal((spots.body.results[0]!.value as number[]).length, 8);
});

test("a step after a failed step does not run: the run fails saying so, and ends", { timeout: 60_000 }, async () => {
  const run = await submitRun(server, {
    recipe: {
      steps: [
        { id: "a", source: "(i) => { if (i === 1) throw new Error('a broke'); return i; }", max_attempts: 1, input: { kind: "range", start: 0, stop: 3 } },
        { id: "slow", algorithm: "sleep", params: { ms: 1500 }, input: { kind: "range", start: 0, stop: 1 } },
        { id: "b", algorithm: "sum", input: { kind: "results", step: "a" } },
        { id: "c", algorithm: "noop", after: ["b", "slow"], input: { kind: "range", start: 0, stop: 1 } },
      ],
    },
  });
  const done = await waitForRun(server, run.id, 30_000);
  assert.equal(done.state, "failed");
  assert.equal(done.steps_pending, 0);
  assert.match(done.error ?? "", /step b did not run/);
  const { body } = await api<RunModel>(server, "GET", `/api/lightbook/runs/${run.id}`);
  assert.deepEqual([...new Set(body.tasks!.map((t) => t.step))].sort(), ["a", "slow"]);
});

test("a later step whose input file vanished fails its run with the file named; other runs go on", { timeout: 60_000 }, async () => {
  // Every step's input is checked at submission (the run's task cap counts them all), so the file exists then and goes before the step is ready.
  const data = `${server.stateDir}/data`;
  await copyFile(`${data}/demo/scan_0001.h5`, `${data}/demo/deleted_scan.h5`);
  const gone = await submitRun(server, {
    name: "input vanished",
    recipe: {
      steps: [
        { id: "first", algorithm: "sleep", params: { ms: 2000 }, input: { kind: "range", start: 0, stop: 2 } },
        { id: "frames", algorithm: "frame-sum", after: ["first"], input: { kind: "frames", file: "demo/deleted_scan.h5", dataset: "/entry/data/data" } },
      ],
    },
  });
  await rm(`${data}/demo/deleted_scan.h5`);
  const other = await submitRun(server, {
    name: "goes on",
    recipe: {
      steps: [
        { id: "a", algorithm: "noop", input: { kind: "range", start: 0, stop: 2 } },
        { id: "b", algorithm: "noop", after: ["a"], input: { kind: "range", start: 0, stop: 2 } },
      ],
    },
  });
  const failed = await waitForRun(server, gone.id, 45_000);
  assert.equal(failed.state, "failed", JSON.stringify(failed));
  assert.match(failed.error ?? "", /step frames cannot start: no such file under the data root \(file="demo\/deleted_scan\.h5"\)/);
  const done = await waitForRun(server, other.id, 45_000);
  assert.equal(done.state, "succeeded", JSON.stringify(done));
  assert.equal(done.counts.succeeded, 4);
});
