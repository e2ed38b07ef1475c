/**
 * Scale-out by simulation (issue 11): this machine has 2 cores, so agents are made separate hosts
 * instead — each in its own network namespace with its own address, reaching PostgreSQL over a veth
 * pair and a bridge, not over loopback — and run 200 ms sleep tasks with 4 slots each. 1, 4 and 16
 * agents should reach ≥ 90 % of the ideal throughput (agents × slots × 5 tasks/s): what is measured
 * is the scheduler (queue, fencing, result rows), not the cores.
 *
 *   sudo flock /tmp/benchmarks.lock node --import tsx bench/scale-out.ts [--write] [--agents 1,4,16]
 *
 * Needs root (ip netns). The machine's PostgreSQL listens on loopback only; a socat relay on the
 * bridge address stands in for a database server's LAN address (the agents' side of the path is
 * the real network stack). The server runs on the host, with no local agent.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { startServer } from "../test/support/server.ts";
import { agentReady, spawnAgent, stopProcess, submitRun, type AgentProcess } from "../test/support/workflow.ts";
import { writeBenchmarkSection } from "./benchmarks-md.ts";
import { BENCH_ADMIN_URL, freshDatabase, runEnd } from "./workflow-support.ts";

const SLOTS = 4;
const TASK_MS = 200;
/** Each run is sized to last this long at the ideal rate. */
const IDEAL_SECONDS = 10;
const BRIDGE = "lbso0";
const SUBNET = "10.231.0";
const HOST = `${SUBNET}.1`;
const PG_PORT = 5432;

const { values } = parseArgs({ options: { write: { type: "boolean", default: false }, agents: { type: "string", default: "1,4,16" } } });
const counts = values.agents.split(",").map(Number);
const log = (s: string) => process.stdout.write(`${s}\n`);
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
const namespace = (i: number) => `lbso-${i}`;

if (process.getuid?.() !== 0) {
  log("bench/scale-out.ts needs root (network namespaces); skipped.");
  process.exit(0);
}

/** The bridge on the host and `n` namespaces on it, each with one address and a default route to the host. */
function makeNetwork(n: number): void {
  removeNetwork(n);
  ip("link", "add", BRIDGE, "type", "bridge");
  ip("addr", "add", `${HOST}/24`, "dev", BRIDGE);
  ip("link", "set", BRIDGE, "up");
  for (let i = 1; i <= n; i++) {
    const ns = namespace(i);
    ip("netns", "add", ns);
    ip("link", "add", `lbso-h${i}`, "type", "veth", "peer", "name", `lbso-a${i}`);
    ip("link", "set", `lbso-h${i}`, "master", BRIDGE, "up");
    ip("link", "set", `lbso-a${i}`, "netns", ns);
    ip("-n", ns, "addr", "add", `${SUBNET}.${10 + i}/24`, "dev", `lbso-a${i}`);
    ip("-n", ns, "link", "set", `lbso-a${i}`, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "route", "add", "default", "via", HOST);
  }
}

function removeNetwork(n: number): void {
  for (let i = 1; i <= n; i++) {
    try {
      ip("netns", "delete", namespace(i));
    } catch {
      // not there
    }
  }
  try {
    ip("link", "delete", BRIDGE);
  } catch {
    // not there
  }
}

/** Relays the bridge address's PostgreSQL port to the machine's PostgreSQL. */
function relayPostgres(): ChildProcess {
  const target = new URL(BENCH_ADMIN_URL);
  return spawn("socat", [`TCP-LISTEN:${PG_PORT},bind=${HOST},reuseaddr,fork`, `TCP:${target.hostname}:${target.port || 5432}`], { stdio: "ignore" });
}

interface Row {
  agents: number;
  tasks: number;
  ideal: number;
  perSecond: number;
  wallPerSecond: number;
}

/** Agents left running would keep their namespaces (and veth pairs) alive after `ip netns delete`. */
async function stopAgents(list: AgentProcess[]): Promise<void> {
  for (const a of list) stopProcess(a.process, "SIGTERM");
  await Promise.all(list.map((a) => a.exited));
}

let agents: AgentProcess[] = [];
const maxAgents = Math.max(...counts);
makeNetwork(maxAgents);
const relay = relayPostgres();
const rows: Row[] = [];
const load: number[] = [os.loadavg()[0]!];
try {
  const databaseUrl = await freshDatabase();
  const server = await startServer({ databaseUrl, web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
  const overNetwork = new URL(databaseUrl);
  overNetwork.hostname = HOST;
  overNetwork.port = String(PG_PORT);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    for (const n of counts) {
      agents = [];
      for (let i = 1; i <= n; i++)
        agents.push(spawnAgent(overNetwork.toString(), `host-${i}`, { concurrency: SLOTS, prefix: ["ip", "netns", "exec", namespace(i)] }));
      await Promise.all(agents.map((a) => agentReady(a, 300_000)));
      const ideal = n * SLOTS * (1000 / TASK_MS);
      const tasks = ideal * IDEAL_SECONDS;
      log(`${n} agent(s) × ${SLOTS} slots: ${tasks} tasks of ${TASK_MS} ms (ideal ${ideal} tasks/s) …`);
      const t0 = performance.now();
      const run = await submitRun(server, {
        recipe: { steps: [{ id: "s", algorithm: "sleep", params: { ms: TASK_MS }, input: { kind: "range", start: 0, stop: tasks } }] },
      });
      await runEnd(server, run.id);
      const wall = (performance.now() - t0) / 1000;
      const span = await db.query<{ s: number }>("select extract(epoch from max(finished_at) - min(started_at)) as s from task where run_id = $1", [run.id]);
      const perSecond = tasks / Number(span.rows[0]!.s);
      rows.push({ agents: n, tasks, ideal, perSecond, wallPerSecond: tasks / wall });
      load.push(os.loadavg()[0]!);
      log(
        `   ${perSecond.toFixed(1)} tasks/s on the agents (${((perSecond / ideal) * 100).toFixed(1)} % of ideal); submit → end ${(tasks / wall).toFixed(1)} tasks/s`,
      );
      await stopAgents(agents);
    }
  } finally {
    await stopAgents(agents);
    await db.end();
    await server.stop();
  }
} finally {
  relay.kill();
  removeNetwork(maxAgents);
}

const table = rows
  .map(
    (r) =>
      `| ${r.agents} | ${r.agents * SLOTS} | ${r.tasks} | ${r.ideal} | ${r.perSecond.toFixed(1)} | ${((r.perSecond / r.ideal) * 100).toFixed(1)} % | ${r.wallPerSecond.toFixed(1)} (${((r.wallPerSecond / r.ideal) * 100).toFixed(1)} %) |`,
  )
  .join("\n");
const section = `## Scale-out (agents as separate hosts)

\`sudo flock /tmp/benchmarks.lock node --import tsx bench/scale-out.ts --write\` — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version};
1-minute load ${load.map((l) => l.toFixed(1)).join(" → ")} (start, then after each row; the machine may be shared).
Each agent runs in its own network namespace with its own address (${SUBNET}.11 …), reaching PostgreSQL over a veth pair and a
bridge (a socat relay on the bridge address stands in for the database's LAN address: the machine's PostgreSQL listens on
loopback only). ${SLOTS} slots per agent, ${TASK_MS} ms sleep tasks, one task per item; ideal = agents × slots × ${1000 / TASK_MS} tasks/s.
"On the agents" is tasks over first start → last end (task rows); "submit → end" adds the POST and the long poll.

| agents | slots | tasks | ideal tasks/s | on the agents tasks/s | of ideal | submit → end tasks/s (of ideal) |
| --- | --- | --- | --- | --- | --- | --- |
${table}
`;
log(section);
if (values.write) await writeBenchmarkSection("## Scale-out (agents as separate hosts)", section);
