/**
 * Kernels across a server restart (issue 11 item 4): with N kernels running, each holding a
 * variable, the server gets SIGTERM and is started again on the same database and state
 * directory; measured is the time from the new server's spawn until every kernel answered an
 * execute_request over the Jupyter WebSocket with its variable, against the same server's start
 * with no kernels (what the restart costs beyond an ordinary start).
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/kernel-restart.ts [--kernels 20] [--write]
 *
 * Jupyter Server is the peer in principle, but it keeps no kernel across a restart (SIGTERM
 * shuts its kernels down; on SIGKILL they exit with it): the comparison is 0 of N kept. Its
 * figure is measured only if Debian's jupyter_server is installed for /usr/bin/python3.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { KernelManager, type Kernel } from "@jupyterlab/services";
import { kernelModel } from "../contracts/kernels.ts";
import { z } from "../contracts/zod.ts";
import { serverSettings } from "../test/support/jupyter.ts";
import { pgrep } from "../test/support/processes.ts";
import { execute, result } from "../test/support/kernel-runs.ts";
import { startServer, type RunningServer } from "../test/support/server.ts";
import { writeBenchmarkSection } from "./benchmarks-md.ts";
import { freshDatabase } from "./workflow-support.ts";

const HEADING = "## Kernels across a server restart";
const { values } = parseArgs({ options: { kernels: { type: "string", default: "20" }, write: { type: "boolean", default: false } } });
const KERNELS = Number(values.kernels);

const jupyterServer = (() => {
  try {
    return execFileSync("/usr/bin/python3", ["-c", "import jupyter_server; print(jupyter_server.__version__)"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
})();

const databaseUrl = await freshDatabase();
const stateDir = await mkdtemp(path.join(os.tmpdir(), "lightbook-bench-restart-"));
await chmod(stateDir, 0o755);
const token = "bench-restart-token-0123456789";
const start = () =>
  startServer({
    web: false,
    databaseUrl,
    stateDir,
    token,
    env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "0", LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: "600000" },
  });
const clients: KernelManager[] = [];
const connect = (s: RunningServer, id: string): Kernel.IKernelConnection => {
  const manager = new KernelManager({ serverSettings: serverSettings(s) });
  clients.push(manager);
  return manager.connectTo({ model: { id, name: "lightbook-ts" } });
};
const post = async (s: RunningServer, route: string) => {
  const res = await fetch(`${s.url}${route}`, { method: "POST", headers: { Authorization: `token ${s.token}` }, body: "{}" });
  if (res.status !== 201) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
  return kernelModel.parse(await res.json());
};
const loadStart = os.loadavg()[0]!;

let emptyStartMs: number;
let stopMs: number;
let restartMs: number;
let serverUpMs: number;
let reattachMs: number;
try {
  // Baseline: the same server starting with no kernels recorded (migrations already applied).
  await (await start()).stop();
  let t = performance.now();
  let server = await start();
  emptyStartMs = performance.now() - t;

  const ids: string[] = [];
  for (let i = 0; i < KERNELS; i++) {
    const { id } = await post(server, "api/kernels");
    const r = await execute(connect(server, id), `const kept = ${i};`);
    if (r.reply.status !== "ok") throw new Error(`kernel ${i}: ${JSON.stringify(r.reply)}`);
    ids.push(id);
    process.stderr.write(`\rkernels started: ${i + 1}/${KERNELS}`);
  }
  process.stderr.write("\n");
  for (const c of clients.splice(0)) c.dispose();

  t = performance.now();
  if ((await server.stop()) !== 0) throw new Error("the server did not stop cleanly");
  stopMs = performance.now() - t;
  t = performance.now();
  server = await start();
  serverUpMs = performance.now() - t;
  const line = server
    .stderr()
    .split("\n")
    .find((l) => l.includes("recorded kernels reattached"));
  const logged = z.object({ kernels: z.number(), dead: z.number(), ms: z.number() }).parse(JSON.parse(line ?? "{}"));
  if (logged.dead > 0) throw new Error(`${logged.dead} kernels were not reattached`);
  reattachMs = logged.ms;
  const answers = await Promise.all(ids.map(async (id) => result(await execute(connect(server, id), "kept"))));
  restartMs = performance.now() - t;
  const wrong = answers.findIndex((a, i) => a !== String(i));
  if (wrong >= 0) throw new Error(`kernel ${wrong} answered ${JSON.stringify(answers[wrong])}`);
  for (const id of ids) await fetch(`${server.url}api/kernels/${id}`, { method: "DELETE", headers: { Authorization: `token ${token}` } });
  await server.stop();
} finally {
  for (const c of clients) c.dispose();
  // Kernels outlive a server that failed: end the ones this run started (their connection files are in stateDir).
  for (const pid of pgrep("-f", stateDir)) process.kill(pid, "SIGTERM");
  await rm(stateDir, { recursive: true, force: true });
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const section = [
  HEADING,
  "",
  `\`flock /tmp/benchmarks.lock node --import tsx bench/kernel-restart.ts --kernels ${KERNELS} --write\` — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, PostgreSQL on 127.0.0.1, one run`,
  `(1-minute load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end; the machine is shared). ${KERNELS} TypeScript kernels, each holding a variable; the server gets SIGTERM and is started again on the same database and state directory.`,
  "",
  "| measure | time |",
  "| --- | ---: |",
  `| server start with no kernels (spawn → listening) | ${s(emptyStartMs)} |`,
  `| SIGTERM → exit, ${KERNELS} kernels left running | ${s(stopMs)} |`,
  `| restart: spawn → listening, ${KERNELS} kernels reattached | ${s(serverUpMs)} |`,
  `| of which reattaching all ${KERNELS} (rows read, process checks, ZMQ connect, kernel_info, replay; the server's own log) | **${s(reattachMs)}** |`,
  `| restart: spawn → all ${KERNELS} answered an execute over the WebSocket with their variable | **${s(restartMs)}** (${(restartMs / emptyStartMs).toFixed(2)}× an empty start) |`,
  "",
  `Issue 11's target is all ${KERNELS} reattached and answering within 5 s of the restart. Reattaching itself took ${s(reattachMs)}; the rest of the ${s(restartMs)} is the server's own start (tsx, Prisma, migrations check, the job queue), which took ${s(emptyStartMs)} with no kernels at all under the same load, and the ${KERNELS} WebSocket round trips.`,
  jupyterServer
    ? `Jupyter Server ${jupyterServer} is installed but not driven by this script yet; it shuts its kernels down on SIGTERM, so 0 of ${KERNELS} would be kept.`
    : `Jupyter Server (not installed here, so not measured) keeps none: SIGTERM shuts its kernels down and on SIGKILL they exit with it, so after its restart 0 of ${KERNELS} kernels and none of their variables are left.`,
  "",
].join("\n");
console.log(section);
if (values.write) await writeBenchmarkSection(HEADING, section);
