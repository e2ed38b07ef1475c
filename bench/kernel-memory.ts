/**
 * Memory of many kernels (issue 13: "100 users with one kernel each on this machine stay within
 * its memory"). N TypeScript kernels started through the server's REST API, each given one
 * declaring cell and one completion over the Jupyter WebSocket (@jupyterlab/services), as a user's
 * first minute does; against N ipykernels started by jupyter_client as Jupyter Server starts them
 * (the same cell and a completion), in the same run.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/kernel-memory.ts [--kernels 20] [--write]
 *
 * Per kernel, over its process tree: PSS (/proc/PID/smaps_rollup: shared pages counted once across
 * the kernels that share them, so the sum is what they take together) and RSS. 100 kernels are
 * extrapolated from the per-kernel PSS.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { KernelManager } from "@jupyterlab/services";
import { kernelModel } from "../contracts/kernels.ts";
import { serverSettings } from "../test/support/jupyter.ts";
import { execute } from "../test/support/kernel-runs.ts";
import { pgrep, waitUntil } from "../test/support/processes.ts";
import { startServer } from "../test/support/server.ts";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";
import { quantile } from "./stats.ts";
import { freshDatabase } from "./workflow-support.ts";

const HEADING = "## Kernel memory (many kernels)";
const { values } = parseArgs({ options: { kernels: { type: "string", default: "20" }, write: { type: "boolean", default: false } } });
const KERNELS = Number(values.kernels);
const MiB = 1024;

async function meminfoKiB(field: string): Promise<number> {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(await readFile("/proc/meminfo", "utf8"))?.[1]);
}

/** The process and its descendants (a kernel's helpers, e.g. esbuild's service process under tsx). */
function tree(pid: number): number[] {
  return [pid, ...pgrep("-P", String(pid)).flatMap(tree)];
}

/** Of a kernel's whole process tree. */
async function pssAndRss(pid: number): Promise<{ pss: number; rss: number; processes: number }> {
  let pss = 0;
  let rss = 0;
  const processes = tree(pid);
  for (const p of processes) {
    const rollup = await readFile(`/proc/${p}/smaps_rollup`, "utf8");
    const kib = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1]);
    pss += kib("Pss") / MiB;
    rss += kib("Rss") / MiB;
  }
  return { pss, rss, processes: processes.length };
}

interface Measured {
  pss: number[];
  rss: number[];
  processes: number[];
}

async function measure(pids: number[]): Promise<Measured> {
  const each = await Promise.all(pids.map(pssAndRss));
  return { pss: each.map((e) => e.pss), rss: each.map((e) => e.rss), processes: each.map((e) => e.processes) };
}

const threadsOf = (pid: number) => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

/** `idle`: the kernels' language workers stop after 2 s without a request (kernel/language/language-client.ts), and are measured once stopped. */
async function lightbook(idle: boolean): Promise<Measured> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-memory-"));
  await chmod(stateDir, 0o755);
  const server = await startServer({
    web: false,
    databaseUrl: await freshDatabase(),
    stateDir,
    env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", ...(idle ? { LIGHTBOOK_KERNEL_LANGUAGE_IDLE_MS: "2000" } : {}) },
  });
  const clients: KernelManager[] = [];
  try {
    const busy = new Map<number, number>();
    for (let i = 0; i < KERNELS; i++) {
      const res = await fetch(`${server.url}api/kernels`, { method: "POST", headers: { Authorization: `token ${server.token}` }, body: "{}" });
      const { id } = kernelModel.parse(await res.json());
      const manager = new KernelManager({ serverSettings: serverSettings(server) });
      clients.push(manager);
      const kernel = manager.connectTo({ model: { id, name: "lightbook-ts" } });
      if ((await execute(kernel, "const x = 1;")).reply.status !== "ok") throw new Error(`kernel ${i}: the cell failed`);
      const completion = await kernel.requestComplete({ code: "Math.ma", cursor_pos: 7 });
      if (completion.content.status !== "ok") throw new Error(`kernel ${i}: the completion failed`);
      // Its threads while its language worker runs, to see the worker stop (idle runs).
      for (const pid of pgrep("-f", stateDir)) if (!busy.has(pid)) busy.set(pid, threadsOf(pid));
      process.stderr.write(`\rTypeScript kernels started: ${i + 1}/${KERNELS}`);
    }
    process.stderr.write("\n");
    // The kernels' command lines name their connection files, in the state directory.
    const pids = pgrep("-f", stateDir);
    if (pids.length !== KERNELS) throw new Error(`found ${pids.length} kernel processes, expected ${KERNELS}`);
    if (idle) {
      await waitUntil("every language worker stopped", () => pids.every((pid) => threadsOf(pid) < busy.get(pid)!), 60_000);
    }
    return await measure(pids);
  } finally {
    for (const c of clients) c.dispose();
    await server.dispose();
    for (const pid of pgrep("-f", stateDir)) process.kill(pid, "SIGTERM");
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function ipykernel(): Promise<Measured> {
  const driver = spawn("/usr/bin/python3", [path.join(import.meta.dirname, "kernel_memory_ipykernel.py"), String(KERNELS)], {
    // ipykernel's debugger otherwise warns on every start.
    env: { ...pythonBenchEnv(), PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdio: ["pipe", "pipe", "inherit"],
  });
  try {
    const [line] = (await once(createInterface({ input: driver.stdout }), "line")) as [string];
    return await measure(JSON.parse(line) as number[]);
  } finally {
    driver.stdin.end();
    await once(driver, "exit");
  }
}

const loadStart = os.loadavg()[0]!;
const ours = await lightbook(false);
const oursIdle = await lightbook(true);
const theirs = await ipykernel();
const totalMiB = (await meminfoKiB("MemTotal")) / MiB;

const median = (xs: number[]) => quantile(xs, 0.5);
const f = (x: number) => x.toFixed(0);
const row = (name: string, m: Measured) =>
  `| ${name} | ${median(m.processes)} | ${f(median(m.pss))} | ${f(median(m.rss))} | ${f(m.pss.reduce((a, b) => a + b, 0))} | **${((median(m.pss) * 100) / 1024).toFixed(1)} GiB** |`;
const section = [
  HEADING,
  "",
  `\`flock /tmp/benchmarks.lock node --import tsx bench/kernel-memory.ts --kernels ${KERNELS} --write\` — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, ${(totalMiB / 1024).toFixed(1)} GiB, Node ${process.version}, one run`,
  `(1-minute load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end). ${KERNELS} kernels of each kind at once, each after one declaring cell and one completion:`,
  "TypeScript kernels started by the server (REST) and driven over its WebSocket; ipykernels started by jupyter_client's KernelManager (Debian's python3-ipykernel).",
  "PSS counts pages shared between kernels (the node or python binary, libraries) once in total, so the sum is what they take together; both are of each kernel's process tree.",
  "",
  `| kernel | processes per kernel | PSS per kernel, median (MiB) | RSS per kernel, median (MiB) | PSS of all ${KERNELS} (MiB) | 100 kernels (PSS) |`,
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  row("Lightbook TypeScript kernel", ours),
  row("Lightbook TypeScript kernel, language service idled out", oursIdle),
  row("ipykernel", theirs),
  "",
  `Ratios (Lightbook / ipykernel, PSS per kernel): **${(median(ours.pss) / median(theirs.pss)).toFixed(2)}×** while the language service runs, **${(median(oursIdle.pss) / median(theirs.pss)).toFixed(2)}×** once it idled out.`,
  `100 TypeScript kernels need about ${((median(ours.pss) * 100) / 1024).toFixed(1)} GiB of this machine's ${(totalMiB / 1024).toFixed(1)} GiB (${((median(ours.pss) * 100 * 100) / totalMiB).toFixed(0)} %) if all are in use at once, ${((median(oursIdle.pss) * 100) / 1024).toFixed(1)} GiB (${((median(oursIdle.pss) * 100 * 100) / totalMiB).toFixed(0)} %) if all paused longer than LIGHTBOOK_KERNEL_LANGUAGE_IDLE_MS (default 5 min), before the server, PostgreSQL and the page cache.`,
  "The language worker (TypeScript's language service, for type checks and completion) is the difference; it starts again at the next cell or completion, replaying the session's cells.",
  "",
].join("\n");
console.log(section);
if (values.write) await writeBenchmarkSection(HEADING, section);
