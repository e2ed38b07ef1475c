import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { AlgorithmModel } from "../../contracts/algorithms.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { api, waitFor, withDb } from "../support/workflow.ts";

/** Issue 10: the algorithm catalogue over REST, and parameters checked when a run is submitted. */
let server: RunningServer;
before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
});
after(async () => {
  await server.dispose();
});

test("GET /api/lightbook/algorithms lists each algorithm with its parameters' JSON Schema, behind the token", async () => {
  const anonymous = await fetch(new URL("api/lightbook/algorithms", server.url));
  assert.equal(anonymous.status, 401);
  const { status, body } = await api<AlgorithmModel[]>(server, "GET", "/api/lightbook/algorithms");
  assert.equal(status, 200);
  assert.deepEqual(
    body.map((a) => a.name),
    ["azint", "frame-sum", "noop", "sleep", "spotfind", "spots-per-frame", "sum"],
  );
  const azint = body.find((a) => a.name === "azint")!;
  assert.match(azint.description, /integrat/i);
  assert.equal(azint.params.type, "object");
  assert.deepEqual((azint.params.required as string[]).sort(), ["geometry", "npt"]);
  assert.equal(azint.params.additionalProperties, false);
  const geometry = (azint.params.properties as Record<string, { required?: string[] }>).geometry!;
  assert.deepEqual(geometry.required?.sort(), ["dist", "pixel1", "pixel2", "poni1", "poni2", "rot1", "rot2", "rot3", "shape"]);
});

test("a run with a bad algorithm parameter is refused with 400 naming it, and nothing is queued", async () => {
  const geometry = { dist: 0.1, poni1: 0, poni2: 0, rot1: 0, rot2: 0, rot3: 0, pixel1: 75e-6, pixel2: 75e-6, shape: [16, 16] };
  const frames = { kind: "frames", file: "demo/scan_0001.h5", dataset: "/entry/data/data" };
  const cases: [string, unknown, RegExp][] = [
    ["azint", { geometry, npt: "many" }, /^Invalid request body: recipe\.steps\.0\.params\.npt: Invalid input: expected number, received string$/],
    ["azint", { geometry: { ...geometry, dist: -1 }, npt: 10 }, /^Invalid request body: recipe\.steps\.0\.params\.geometry\.dist: Too small/],
    ["azint", { geometry, npt: 10, nptt: 5 }, /^Invalid request body: recipe\.steps\.0\.params\.nptt: unknown parameter of azint \(it takes geometry, npt, /],
    ["sleep", { ms: -5 }, /^Invalid request body: recipe\.steps\.0\.params\.ms: Too small: expected number to be >=0$/],
    ["no-such-algorithm", {}, /^Invalid request body: recipe\.steps\.0\.algorithm: unknown algorithm "no-such-algorithm"; agents run azint, /],
  ];
  for (const [algorithm, params, message] of cases) {
    const res = await api<{ message: string }>(server, "POST", "/api/lightbook/runs", { recipe: { steps: [{ id: "s", algorithm, params, input: frames }] } });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.message, message);
  }
  const counts = await withDb(server.databaseUrl, (c) =>
    c.query("select (select count(*) from run)::int as runs, (select count(*) from graphile_worker.jobs)::int as jobs"),
  );
  assert.deepEqual(counts.rows[0], { runs: 0, jobs: 0 });
  const ok = await api(server, "POST", "/api/lightbook/runs", {
    recipe: { steps: [{ id: "s", algorithm: "sleep", params: { ms: 1 }, input: { kind: "range", start: 0, stop: 1 } }] },
  });
  assert.equal(ok.status, 201);
});

test("a run row whose recipe does not fit its contract is an error that names the run and the field", async () => {
  const id = randomUUID();
  await withDb(server.databaseUrl, (c) =>
    c.query(`insert into run (id, name, recipe, total, steps_pending) values ($1::uuid, 'broken', '{"steps": [{"id": "s"}]}'::jsonb, 0, 0)`, [id]),
  );
  const res = await api<{ message: string }>(server, "GET", `/api/lightbook/runs/${id}`);
  assert.equal(res.status, 500);
  assert.equal(res.body.message, "Internal server error", "no internals in the response");
  await waitFor(
    () => server.stderr().includes(`the recipe of run ${id} does not match its contract: steps[0].input: `),
    10_000,
    () => `no clear log line; logs:\n${server.stderr().slice(-2000)}`,
  );
});
