import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { programResult, type ProgramResult } from "../../contracts/programs.ts";
import type { ResultModel, RunModel } from "../../contracts/runs.ts";
import { PROJECT_ROOT } from "../../server/paths.ts";
import { makeFixture } from "../analysis/fixtures.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, waitForRun, type AgentProcess } from "../support/workflow.ts";

/**
 * Issue 17 items 2 and 3: the shipped DIALS recipe (programs/dials.json: dials.import → find_spots →
 * index → refine → integrate per sweep, then the per-dataset numbers) on real agents, on synthetic
 * rotation sweeps predicted from a crystal lattice (test/fixtures/make_fixtures.py sweep). Checked
 * against the same DIALS commands run directly on the same images: the numbers DIALS prints
 * (spots saved, reflections indexed, the refined cell and space group, integrated reflections saved,
 * the summary's d_min) to the precision it prints them; and against the lattice the sweep was made
 * with (cell within 0.5 %). dials.scale, the reduce, merges the two sweeps as dials.scale run directly
 * on the same kept files does. A sweep with no spots fails with DIALS' own message.
 */
const DIALS = process.env.LIGHTBOOK_TEST_DIALS ?? "/usr/bin/dials.import";
const skip = !existsSync(DIALS) && "DIALS is not installed (Debian's dials package)";
const run = promisify(execFile);

let server: RunningServer;
let agent: AgentProcess;
let dir: string;
let data: string;
const SWEEPS = {
  a: { cell: [40, 50, 60], seed: 3 },
  // The same crystal in another orientation, so that dials.scale merges the two sweeps.
  b: { cell: [40, 50, 60], seed: 8 },
};

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-dials-"));
  await chmod(dir, 0o755);
  data = path.join(dir, "data");
  const results = path.join(dir, "results");
  await Promise.all(
    [
      ...Object.entries(SWEEPS).map(([name, s]) => [
        "sweep",
        `sweeps/${name}`,
        "--frames",
        "8",
        "--shape",
        "384",
        "384",
        "--seed",
        String(s.seed),
        "--cell",
        ...s.cell.map(String),
      ]),
      ["sweep", "sweeps/blank", "--frames", "4", "--d-min", "30"],
    ].map(async ([cmd, out, ...args]) => {
      await mkdir(path.join(data, out!), { recursive: true });
      await makeFixture(path.join(data, out!), cmd!, ".", ...args);
    }),
  );
  const env = { LIGHTBOOK_PROGRAMS: path.join(PROJECT_ROOT, "programs/dials.json"), LIGHTBOOK_RESULTS_ROOT: results, LIGHTBOOK_DATA_ROOT: data };
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", ...env } });
  agent = spawnAgent(server.databaseUrl, "dials-agent", { concurrency: 2, dataRoot: data, tags: ["dials"], env: { ...env, LIGHTBOOK_AGENT_PREFETCH: "0" } });
  await agentReady(agent, 180_000);
});
after(async () => {
  if (skip) return;
  stopProcess(agent.process, "SIGTERM");
  await agent.exited;
  await server.dispose();
  await rm(dir, { recursive: true, force: true });
});

interface Printed {
  spots: number;
  indexed: number;
  /** As printed: value and the number of decimals shown. */
  cell: { value: number; decimals: number }[];
  spaceGroup: string;
  integrated: number;
  dMin: number;
}

/** The same commands as programs/dials.json, run directly in a folder of their own; what DIALS prints. */
async function dialsDirectly(sweep: string): Promise<Printed> {
  const work = await mkdtemp(path.join(dir, "direct-"));
  const out = async (cmd: string, ...args: string[]) => (await run(cmd, args, { cwd: work, maxBuffer: 64 << 20 })).stdout;
  await out("dials.import", sweep);
  const found = await out("dials.find_spots", "imported.expt", "nproc=1");
  const indexed = await out("dials.index", "imported.expt", "strong.refl");
  const refined = await out("dials.refine", "indexed.expt", "indexed.refl");
  const integrated = await out("dials.integrate", "refined.expt", "refined.refl", "nproc=1");
  const cellLine = [...refined.matchAll(/Unit cell: (.*)/g)].at(-1)![1]!;
  return {
    spots: Number(/Saved (\d+) reflections to strong\.refl/.exec(found)![1]),
    // The table of the last macro-cycle: dials.index prints one after each.
    indexed: Number([...indexed.matchAll(/\|\s+0 \|\s+(\d+) \|\s+\d+ \|/g)].at(-1)![1]),
    cell: cellLine.split(",").map((v) => {
      const num = v.trim().replace(/\(.*\)$/, "");
      return { value: Number(num), decimals: num.split(".")[1]?.length ?? 0 };
    }),
    spaceGroup: [...refined.matchAll(/Space group: (.*)/g)].at(-1)![1]!.trim(),
    integrated: Number(/Saving (\d+) reflections to integrated\.refl/.exec(integrated)![1]),
    dMin: Number(/\| dmin\s+\|\s+([\d.]+)/.exec(integrated)![1]),
  };
}

interface Summary {
  spots: number;
  indexed: number;
  indexed_fraction: number;
  unit_cell: number[];
  space_group: string;
  integrated: number;
  d_min: number;
}

/** The Overall column of the merging statistics dials.scale prints. */
function overall(printed: string): Record<string, number> {
  const table = printed.slice(printed.lastIndexOf("Summary of merging statistics"));
  return Object.fromEntries([...table.matchAll(/^(\S.*?)\s{2,}(-?[\d.]+)\s/gm)].map((m) => [m[1]!, Number(m[2])]));
}

test(
  "the DIALS recipe gives per sweep the numbers DIALS itself prints and the cell the sweep was made with, dials.scale merges the sweeps, and a sweep DIALS cannot index fails with its message",
  { skip, timeout: 900_000 },
  async () => {
    const submitted = await submitRun(server, {
      name: "dials per dataset",
      recipe: {
        steps: [
          { id: "dials", program: "dials.sweep", max_attempts: 1, input: { kind: "files", files: ["sweeps/a", "sweeps/b"] } },
          { id: "scale", program: "dials.scale", max_attempts: 1, input: { kind: "results", step: "dials" } },
        ],
      },
    });
    const blankRun = await submitRun(server, {
      recipe: { steps: [{ id: "dials", program: "dials.sweep", max_attempts: 1, input: { kind: "files", files: ["sweeps/blank"] } }] },
    });
    const [ended, direct] = await Promise.all([waitForRun(server, submitted.id, 840_000), dialsDirectly(path.join(data, "sweeps/a"))]);
    const runModel = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${submitted.id}?tasks=1`)).body;
    const results = (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${submitted.id}/results`)).body.results;
    assert.equal(ended.state, "succeeded", JSON.stringify(runModel.tasks?.map((t) => t.error)));
    const byPartition = new Map(results.map((r) => [r.partition, programResult.parse((r.value as unknown[])[0])]));
    const summary = (r: ProgramResult | undefined) => r!.json as Summary;

    // Sweep a against DIALS run directly, to the precision DIALS prints.
    const a = summary(byPartition.get(0));
    assert.equal(a.spots, direct.spots);
    assert.equal(a.indexed, direct.indexed);
    assert.equal(a.indexed_fraction, direct.indexed / direct.spots);
    for (const [i, c] of direct.cell.entries())
      assert.ok(Math.abs(a.unit_cell[i]! - c.value) <= 0.5 * 10 ** -c.decimals, `cell[${i}]: ${a.unit_cell[i]} vs DIALS ${c.value}`);
    assert.equal(a.space_group, direct.spaceGroup);
    assert.equal(a.integrated, direct.integrated);
    assert.equal(a.d_min.toFixed(2), direct.dMin.toFixed(2));

    // Both sweeps: DIALS recovers the lattice they were made with (P1 cell, sorted; angles 90°).
    for (const [partition, sweep] of [
      [0, SWEEPS.a],
      [1, SWEEPS.b],
    ] as const) {
      const s = summary(byPartition.get(partition));
      assert.ok(s.indexed_fraction > 0.9, `sweep ${partition}: ${s.indexed_fraction} indexed`);
      const lengths = s.unit_cell.slice(0, 3).sort((x, y) => x - y);
      for (const [i, want] of sweep.cell.entries())
        assert.ok(Math.abs(lengths[i]! / want - 1) < 0.005, `sweep ${partition}: ${lengths.join(", ")} vs ${sweep.cell.join(", ")}`);
      for (const angle of s.unit_cell.slice(3)) assert.ok(Math.abs(angle - 90) < 0.45, `sweep ${partition}: angle ${angle}`);
      const r = byPartition.get(partition)!;
      assert.deepEqual(
        r.files.map((f) => f.name),
        ["integrated.expt", "integrated.refl"],
      );
      assert.match(await readFile(path.join(dir, "results", r.log!), "utf8"), /Saving \d+ reflections to integrated\.refl/);
    }

    // The reduce: dials.scale on the two kept integrated sweeps, against dials.scale run directly on the same files.
    const scale = byPartition.get(2)!;
    assert.equal(scale.program, "dials.scale");
    const work = await mkdtemp(path.join(dir, "scale-"));
    const kept = [0, 1].map((p) => byPartition.get(p)!.files.map((f) => path.join(dir, "results", f.path)));
    const printed = overall((await run("dials.scale", [...kept.map((k) => k[0]!), ...kept.map((k) => k[1]!)], { cwd: work, maxBuffer: 64 << 20 })).stdout);
    const merged = scale.json as Record<string, number>;
    assert.equal(merged.datasets, 2);
    assert.equal(merged.observations, printed["Total observations"]);
    assert.equal(merged.unique, printed["Total unique"]);
    assert.equal(merged.completeness, printed["Completeness"]);
    assert.equal(merged.cc_half, printed["CC half"]);
    assert.equal(merged.d_min, printed["High resolution limit"]);
    assert.ok(merged.observations! > a.integrated * 0.5, `observations ${merged.observations}`);

    assert.equal((await waitForRun(server, blankRun.id, 300_000)).state, "failed");
    const blank = (await api<RunModel>(server, "GET", `/api/lightbook/runs/${blankRun.id}?tasks=1`)).body.tasks![0]!;
    assert.equal(blank.state, "failed");
    assert.match(blank.error ?? "", /dials\.index exited with status 1: No reflections left to index!/);
  },
);
