/**
 * DIALS per dataset (issue 17): synthetic sweeps (test/fixtures/make_fixtures.py sweep) through the
 * shipped recipe (programs/dials.json, dials.sweep) against the same commands run serially by hand.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/dials.ts     (writes "## DIALS per dataset" of BENCHMARKS.md)
 *
 * LIGHTBOOK_BENCH_DIALS_DATASETS sweeps (default 4) of 6 images of 256² pixels. Peer: DIALS run
 * serially, one process after another (the Hadoop/Spark-DIALS scheme's baseline). Lightbook: one
 * agent with one slot, then two agents with one slot each, POST → run end over REST; the
 * orchestration overhead is the run's wall time on one agent minus the programs' own time (the sum
 * of their commands' seconds), per task.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { programResult } from "../contracts/programs.ts";
import type { ResultModel } from "../contracts/runs.ts";
import { PROJECT_ROOT } from "../server/paths.ts";
import { makeFixture } from "../test/analysis/fixtures.ts";
import { startServer } from "../test/support/server.ts";
import { agentReady, api, spawnAgent, stopProcess, submitRun, type AgentProcess } from "../test/support/workflow.ts";
import { writeBenchmarkSection } from "./benchmarks-md.ts";
import { freshDatabase, runEnd } from "./workflow-support.ts";

const DATASETS = Number(process.env.LIGHTBOOK_BENCH_DIALS_DATASETS ?? 4);
const run = promisify(execFile);
const log = (s: string) => process.stdout.write(`${s}\n`);
const loadNow = () => os.loadavg()[0]!.toFixed(1);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function serialDials(dir: string, sweeps: string[]): Promise<number> {
  const t = performance.now();
  for (const sweep of sweeps) {
    const work = await mkdtemp(path.join(dir, "serial-"));
    const sh = (cmd: string, ...args: string[]) => run(cmd, args, { cwd: work, maxBuffer: 64 << 20 });
    await sh("dials.import", sweep);
    await sh("dials.find_spots", "imported.expt", "nproc=1");
    await sh("dials.index", "imported.expt", "strong.refl");
    await sh("dials.refine", "indexed.expt", "indexed.refl");
    await sh("dials.integrate", "refined.expt", "refined.refl", "nproc=1");
    await sh("/usr/bin/python3", path.join(PROJECT_ROOT, "programs/dials_summary.py"));
  }
  return performance.now() - t;
}

async function main(): Promise<void> {
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load ${loadNow()}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-dials-"));
  await chmod(dir, 0o755);
  const data = path.join(dir, "data");
  const names = Array.from({ length: DATASETS }, (_, i) => `sweeps/s${i}`);
  for (const [i, n] of names.entries()) {
    await mkdir(path.join(data, n), { recursive: true });
    await makeFixture(path.join(data, n), "sweep", ".", "--frames", "6", "--shape", "256", "256", "--seed", String(20 + i));
  }
  const env = {
    LIGHTBOOK_PROGRAMS: path.join(PROJECT_ROOT, "programs/dials.json"),
    LIGHTBOOK_RESULTS_ROOT: path.join(dir, "results"),
    LIGHTBOOK_DATA_ROOT: data,
  };
  const databaseUrl = await freshDatabase();
  await mkdir(path.join(dir, "state"));
  const server = await startServer({
    web: false,
    databaseUrl,
    stateDir: path.join(dir, "state"),
    env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_LOG_LEVEL: "warn", ...env },
  });
  const agents: AgentProcess[] = [];
  const lines: string[] = [];
  try {
    const loadSerial = loadNow();
    const serial = await serialDials(
      dir,
      names.map((n) => path.join(data, n)),
    );
    log(`serial DIALS: ${s(serial)} (load ${loadSerial})`);
    const lightbook = async (): Promise<{ wall: number; program: number }> => {
      const t = performance.now();
      const r = await submitRun(server, {
        recipe: { steps: [{ id: "dials", program: "dials.sweep", max_attempts: 1, input: { kind: "files", files: names } }] },
      });
      await runEnd(server, r.id);
      const wall = performance.now() - t;
      const results = (await api<{ results: ResultModel[] }>(server, "GET", `/api/lightbook/runs/${r.id}/results`)).body.results;
      const program = results.reduce((acc, x) => acc + programResult.parse((x.value as unknown[])[0]).commands.reduce((a, c) => a + c.seconds * 1000, 0), 0);
      return { wall, program };
    };
    const start = async (name: string) => {
      const a = spawnAgent(databaseUrl, name, {
        concurrency: 1,
        dataRoot: data,
        tags: ["dials"],
        env: { ...env, LIGHTBOOK_LOG_LEVEL: "warn", LIGHTBOOK_AGENT_PREFETCH: "0" },
      });
      agents.push(a);
      await agentReady(a, 180_000);
    };
    await start("bench-dials-1");
    const load1 = loadNow();
    const one = await lightbook();
    log(`one agent: ${s(one.wall)}, programs ${s(one.program)} (load ${load1})`);
    await start("bench-dials-2");
    const load2 = loadNow();
    const two = await lightbook();
    log(`two agents: ${s(two.wall)} (load ${load2})`);
    const overhead = (one.wall - one.program) / DATASETS;
    lines.push(
      "## DIALS per dataset",
      "",
      `\`flock /tmp/benchmarks.lock node --import tsx bench/dials.ts\` — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${DATASETS} synthetic sweeps`,
      "(6 images of 256², `make_fixtures.py sweep`) through `dials.sweep` (import → find_spots → index → refine → integrate → summary, nproc=1).",
      "Peer: the same commands run serially by hand. 1-minute load beside each figure (the machine is shared, 2 cores).",
      "",
      "| case | wall | serial DIALS / case |",
      "| --- | --- | --- |",
      `| serial DIALS (load ${loadSerial}) | ${s(serial)} | 1.00 |`,
      `| one agent, one slot (load ${load1}) | ${s(one.wall)} | ${(serial / one.wall).toFixed(2)} |`,
      `| two agents, one slot each (load ${load2}) | ${s(two.wall)} | ${(serial / two.wall).toFixed(2)} |`,
      "",
      `Orchestration overhead on one agent (run wall time minus the programs' own time, per task: queue, scratch folder and input copy,`,
      `namespaces, result parsing and storing): ${s(overhead)} per task, ${((100 * (one.wall - one.program)) / one.program).toFixed(1)} % of the programs' own ${s(one.program / DATASETS)} per task.`,
    );
    await writeBenchmarkSection("## DIALS per dataset", lines.join("\n"));
  } finally {
    for (const a of agents) stopProcess(a.process, "SIGTERM");
    await Promise.all(agents.map((a) => a.exited));
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
