import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { ALGORITHM_NAMES, algorithmModels, InvalidParamsError, parseParams } from "../../contracts/algorithms.ts";
import { agentModel } from "../../contracts/agents.ts";
import { executionsResponse } from "../../contracts/journal.ts";
import { kernelSpecModel } from "../../contracts/kernelspec.ts";
import { notebookSchema } from "../../contracts/notebook.ts";
import { ContractError, parseContract } from "../../contracts/parse.ts";
import { createRunBody, recipe, resultsPage, runModel } from "../../contracts/runs.ts";
import { runFixture } from "../support/run-model.ts";

/** Issue 10: every cross-process shape is one zod schema, with its types and JSON Schema derived from it. */

test("each algorithm's parameters have a JSON Schema derived from their contract", () => {
  const models = new Map(algorithmModels().map((m) => [m.name, m]));
  assert.deepEqual([...models.keys()], ["azint", "frame-sum", "noop", "sleep", "spotfind", "spots-per-frame", "sum"]);
  const azint = models.get("azint")!.params as {
    type: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, { enum?: string[]; type?: string }>;
  };
  assert.equal(azint.type, "object");
  assert.deepEqual(azint.required.sort(), ["geometry", "npt"]);
  assert.equal(azint.additionalProperties, false, "a misspelt parameter is refused");
  assert.deepEqual(azint.properties.unit!.enum, ["2th_deg", "2th_rad", "q_nm^-1", "q_A^-1"]);
  assert.equal(azint.properties.npt!.type, "integer");
  const sleep = models.get("sleep")!.params as { required?: string[]; properties: { ms: { default: number } } };
  assert.equal(sleep.properties.ms.default, 100);
  assert.equal(sleep.required, undefined, "ms has a default, so it may be left out");
  for (const m of models.values()) assert.ok(m.description.length > 10, `${m.name} is described`);
});

test("the REST, journal, kernelspec and notebook contracts all derive a JSON Schema", () => {
  for (const [name, schema] of Object.entries({ runModel, resultsPage, agentModel, executionsResponse, kernelSpecModel, notebookSchema })) {
    const json = z.toJSONSchema(schema, { io: "input" }) as { type?: string; properties?: object };
    assert.equal(json.type, "object", name);
    assert.ok(json.properties, name);
  }
  const body = z.toJSONSchema(createRunBody, { io: "input" }) as { required: string[] };
  assert.deepEqual(body.required, ["recipe"]);
});

test("a stored value that does not fit its contract fails naming what it was and the field", () => {
  const row = { ...runFixture(), state: "paused" };
  assert.throws(
    () => parseContract(runModel, row, "run r1"),
    (e: unknown) => e instanceof ContractError && /^run r1 does not match its contract: state: Invalid option/.test(e.message),
  );
  assert.throws(
    () =>
      parseContract(
        recipe,
        { steps: [{ id: "s", algorithm: "sleep", params: { ms: "soon" }, input: { kind: "range", start: 0, stop: 1 } }] },
        "the recipe of run r1",
      ),
    /the recipe of run r1 does not match its contract: steps\[0\]\.params\.ms: Invalid input: expected number, received string/,
  );
  assert.deepEqual(parseContract(runModel, { ...row, state: "pending" }, "run r1").state, "pending");
});

test("a run's steps are checked against their algorithm's parameters", () => {
  const step = (algorithm: string, params: unknown) =>
    createRunBody.safeParse({ recipe: { steps: [{ id: "s", algorithm, params, input: { kind: "range", start: 0, stop: 1 } }] } });
  const issues = (r: ReturnType<typeof step>) => (r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  assert.equal(step("sleep", { ms: 5 }).success, true);
  assert.deepEqual(issues(step("sleep", { ms: -1 })), ["recipe.steps.0.params.ms: Too small: expected number to be >=0"]);
  assert.deepEqual(issues(step("noop", { x: 1 })), ["recipe.steps.0.params.x: unknown parameter of noop (it takes none)"]);
  assert.match(issues(step("azint", { npt: 10 }))[0]!, /^recipe\.steps\.0\.params\.geometry: /);
  assert.deepEqual(issues(step("nope", {})), [`recipe.steps.0.algorithm: unknown algorithm "nope"; agents run ${ALGORITHM_NAMES.join(", ")}`]);
  // Shipped functions take any parameters.
  assert.equal(
    createRunBody.safeParse({ recipe: { steps: [{ id: "s", source: "(x) => x", params: { any: 1 }, input: { kind: "range", start: 0, stop: 1 } }] } }).success,
    true,
  );
});

test("parseParams names the algorithm and the parameter", () => {
  assert.deepEqual(parseParams("sleep", {}), { ms: 100 });
  assert.throws(
    () => parseParams("spotfind", { minSpotSize: 0 }),
    (e: unknown) => e instanceof InvalidParamsError && e.message === "spotfind: parameter minSpotSize: Too small: expected number to be >=1",
  );
  assert.throws(() => parseParams("azint", { geometry: {}, npt: 10, nptt: 5 }), /^InvalidParamsError: azint: parameter geometry\.dist: /);
});
