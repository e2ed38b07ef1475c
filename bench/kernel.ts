/**
 * Kernel protocol speed and size (issues 3 and 12): Lightbook's TypeScript kernel against Debian's
 * python3-ipykernel in one run, each driven by our client (ZmqKernelClient) and by a standard one
 * (jupyter_client's BlockingKernelClient under /usr/bin/python3, bench/jupyter-client-driver.py).
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/kernel.ts [--write]
 *
 *  1. Round trips, execute_request sent → execute_reply and idle status received: a trivial
 *     expression, a cell that declares, a cell that declares and shows the value.
 *  2. iopub throughput: one cell printing 10,000 short lines, from execute_request to idle.
 *  3. Memory: VmRSS of the kernel process after one (declaring) cell, and after a
 *     complete_request as well (our language service has then loaded and checked the cell).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ZmqKernelClient } from "../kernel/client/zmq-client.ts";
import { kernelJson } from "../kernel/kernelspec/spec.ts";
import { allocateConnection, writeConnectionFile } from "../kernel/protocol/connection.ts";
import { isStatusMessage, isStreamMessage, type Message } from "../kernel/protocol/messages.ts";
import { makeMessage } from "../kernel/protocol/reply.ts";
import { pythonBenchEnv, writeBenchmarkSection } from "./benchmarks-md.ts";
import { quantile } from "./stats.ts";

const ROUND_TRIPS = 500;
const PYTHON_ROUND_TRIPS = 300;
const WARMUP = 50;
const PRINTS = 10_000;
const THROUGHPUT_RUNS = 5;

/** What each round-trip cell is, and its text per kernel. */
const CELLS = ["trivial expression", "declaring", "declaring and showing"] as const;
type CellKind = (typeof CELLS)[number];

interface Peer {
  name: string;
  argv: string[];
  cells: Record<CellKind, string>;
  /** A completion request that makes the kernel load what completes. */
  complete: string;
  prints: string;
  env: NodeJS.ProcessEnv;
}

const PEERS: Peer[] = [
  {
    name: "Lightbook TypeScript kernel",
    argv: kernelJson().argv,
    cells: { "trivial expression": "1 + 1", declaring: "const x = 1", "declaring and showing": "let y = 2; y" },
    complete: "Math.ma",
    prints: `for (let i = 0; i < ${PRINTS}; i++) console.log(i);`,
    env: { ...process.env, ...kernelJson().env },
  },
  {
    name: "ipykernel (Debian python3-ipykernel)",
    argv: ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    cells: { "trivial expression": "1 + 1", declaring: "x = 1", "declaring and showing": "y = 2; y" },
    complete: "import o",
    prints: `for i in range(${PRINTS}): print(i)`,
    env: pythonBenchEnv(),
  },
];

interface Running {
  client: ZmqKernelClient;
  proc: ChildProcess;
  dir: string;
  connectionFile: string;
}

async function start(peer: Peer): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), "lightbook-bench-kernel-"));
  const conn = await allocateConnection("127.0.0.1");
  const connectionFile = join(dir, "connection.json");
  await writeConnectionFile(connectionFile, conn);
  const [command, ...args] = peer.argv.map((a) => a.replace("{connection_file}", connectionFile));
  const proc = spawn(command ?? "", args, { cwd: dir, env: peer.env, stdio: ["ignore", "ignore", "inherit"] });
  const client = new ZmqKernelClient(conn);
  await client.connect();
  await client.waitForReady(30_000);
  return { client, proc, dir, connectionFile };
}

async function stop(running: Running): Promise<void> {
  await running.client.close();
  running.proc.kill("SIGKILL");
  await rm(running.dir, { recursive: true, force: true });
}

/** Sends a request and resolves, with the stream messages it caused, once both its reply and idle are in. */
function exchange(client: ZmqKernelClient, request: Message): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const streams: Message[] = [];
    let replied = false;
    let idle = false;
    const off = client.onMessage((m) => {
      if (m.parent_header.msg_id !== request.header.msg_id) return;
      if (m.channel === "shell") replied = true;
      if (isStreamMessage(m)) streams.push(m);
      if (isStatusMessage(m) && m.content.execution_state === "idle") idle = true;
      if (replied && idle) {
        off();
        resolve(streams);
      }
    });
    client.send(request).catch(reject);
  });
}

function execute(client: ZmqKernelClient, code: string): Promise<Message[]> {
  const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
  return exchange(client, makeMessage("execute_request", content, { session: client.session, channel: "shell" }));
}

async function vmRssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

interface Latency {
  p50: number;
  p99: number;
}

const latency = (times: number[]): Latency => ({ p50: quantile(times, 0.5), p99: quantile(times, 0.99) });

interface Measured {
  ours: Record<CellKind, Latency>;
  jupyterClient: Record<CellKind, Latency>;
  printsPerSecond: number;
  rssOneCell: number;
  rssCompleted: number;
}

/** Resolves once the kernel has answered a completion (what completes has loaded by then). */
async function complete(running: Running, peer: Peer): Promise<void> {
  const code = peer.complete;
  await exchange(running.client, makeMessage("complete_request", { code, cursor_pos: code.length }, { session: running.client.session, channel: "shell" }));
}

/** A fresh kernel: one declaring cell, then one complete_request. */
async function memory(peer: Peer): Promise<{ rssOneCell: number; rssCompleted: number }> {
  const running = await start(peer);
  try {
    await execute(running.client, peer.cells.declaring);
    const rssOneCell = await vmRssMiB(running.proc.pid);
    await complete(running, peer);
    return { rssOneCell, rssCompleted: await vmRssMiB(running.proc.pid) };
  } finally {
    await stop(running);
  }
}

async function throughDriver(running: Running, peer: Peer): Promise<Record<CellKind, Latency>> {
  const driver = join(import.meta.dirname, "jupyter-client-driver.py");
  const codes = CELLS.map((kind) => peer.cells[kind]);
  const { stdout } = await promisify(execFile)("/usr/bin/python3", [driver, running.connectionFile, String(WARMUP), String(PYTHON_ROUND_TRIPS), ...codes], {
    env: pythonBenchEnv(),
  });
  const times = JSON.parse(stdout) as Record<string, number[]>;
  return Object.fromEntries(CELLS.map((kind) => [kind, latency(times[peer.cells[kind]] ?? [])])) as Record<CellKind, Latency>;
}

async function measure(peer: Peer): Promise<Measured> {
  const { rssOneCell, rssCompleted } = await memory(peer);
  const running = await start(peer);
  try {
    // Not while our language service (or ipykernel's jedi) is still loading beside the cells.
    await complete(running, peer);
    const ours = {} as Record<CellKind, Latency>;
    for (const kind of CELLS) {
      const code = peer.cells[kind];
      for (let i = 0; i < WARMUP; i++) await execute(running.client, code);
      const times: number[] = [];
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const t0 = performance.now();
        await execute(running.client, code);
        times.push(performance.now() - t0);
      }
      ours[kind] = latency(times);
    }
    const jupyterClient = await throughDriver(running, peer);
    const rates: number[] = [];
    let lines = 0;
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      const t0 = performance.now();
      const streams = await execute(running.client, peer.prints);
      const seconds = (performance.now() - t0) / 1000;
      lines = streams.reduce((n, m) => n + (isStreamMessage(m) ? m.content.text.split("\n").length - 1 : 0), 0);
      rates.push(PRINTS / seconds);
    }
    if (lines !== PRINTS) throw new Error(`${peer.name}: ${lines} lines arrived, not ${PRINTS}`);
    return { ours, jupyterClient, printsPerSecond: quantile(rates, 0.5), rssOneCell, rssCompleted };
  } finally {
    await stop(running);
  }
}

const loadAtStart = loadavg()[0] ?? NaN;
const results: (Measured & { peer: Peer })[] = [];
for (const peer of PEERS) {
  const r = await measure(peer);
  const cells = (by: Record<CellKind, Latency>) => CELLS.map((kind) => `${kind} ${by[kind].p50.toFixed(2)}`).join(", ");
  console.log(
    `${peer.name}: p50 ms, our client: ${cells(r.ours)}; jupyter_client: ${cells(r.jupyterClient)}; ${Math.round(r.printsPerSecond)} prints/s; RSS ${r.rssOneCell.toFixed(0)} / ${r.rssCompleted.toFixed(0)} MiB`,
  );
  results.push({ peer, ...r });
}
const loadAtEnd = loadavg()[0] ?? NaN;
const [ours, ipykernel] = results;
if (ours && ipykernel && process.argv.includes("--write")) {
  const ms = (l: Latency) => `${l.p50.toFixed(2)} (${l.p99.toFixed(1)})`;
  const latencyRows = CELLS.map((kind) => {
    const ratio = (by: "ours" | "jupyterClient") => (ours[by][kind].p50 / ipykernel[by]["trivial expression"].p50).toFixed(2);
    return `| ${kind} | \`${ours.peer.cells[kind]}\` | ${ms(ours.ours[kind])} | ${ms(ours.jupyterClient[kind])} | \`${ipykernel.peer.cells[kind]}\` | ${ms(ipykernel.ours[kind])} | ${ms(ipykernel.jupyterClient[kind])} | ${ratio("ours")}× / ${ratio("jupyterClient")}× |`;
  });
  await writeBenchmarkSection(
    "## Kernel: round trip and iopub throughput",
    `## Kernel: round trip and iopub throughput

\`flock /tmp/benchmarks.lock node --import tsx bench/kernel.ts --write\` — both kernels in one run, each driven
by our client (\`ZmqKernelClient\`) and by a standard one (jupyter_client \`BlockingKernelClient.execute_interactive\`
under /usr/bin/python3, \`bench/jupyter-client-driver.py\`), ZMQ on 127.0.0.1. Round trip: execute_request sent →
execute_reply and idle received; ${ROUND_TRIPS} times per cell with our client, ${PYTHON_ROUND_TRIPS} with jupyter_client,
each after ${WARMUP} warm-up runs. Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end,
on ${availableParallelism()} cores shared with other work, so figures vary between runs.

Round trip p50 (p99) in ms; the ratio is the Lightbook cell's p50 over ipykernel's trivial cell's (our client / jupyter_client):

| cell | Lightbook | our client | jupyter_client | ipykernel | our client | jupyter_client | ratio |
| --- | --- | --- | --- | --- | --- | --- | --- |
${latencyRows.join("\n")}

A Lightbook cell's reply does not wait for its type check (kernel/README.md, Types): a cell declaring
the same as the cell before reuses the check; a new cell's check runs in the language worker meanwhile.

Throughput: one cell printing ${PRINTS.toLocaleString("en")} short lines, execute_request → idle, median of ${THROUGHPUT_RUNS},
all lines checked to arrive: Lightbook ${Math.round(ours.printsPerSecond).toLocaleString("en")} prints/s, ipykernel
${Math.round(ipykernel.printsPerSecond).toLocaleString("en")} (${(ours.printsPerSecond / ipykernel.printsPerSecond).toFixed(2)}×, higher is better).

Memory: VmRSS (/proc/PID/status) of a fresh kernel after one declaring cell, and after one complete_request as well
(our language service has then loaded and checked the cell; ipykernel has loaded jedi):

| kernel | after one cell (MiB) | after a completion too (MiB) |
| --- | --- | --- |
| ${ours.peer.name} | ${ours.rssOneCell.toFixed(0)} | ${ours.rssCompleted.toFixed(0)} |
| ${ipykernel.peer.name} | ${ipykernel.rssOneCell.toFixed(0)} | ${ipykernel.rssCompleted.toFixed(0)} |

Ratios (Lightbook / ipykernel): ${(ours.rssOneCell / ipykernel.rssOneCell).toFixed(2)}× after one cell, ${(ours.rssCompleted / ipykernel.rssCompleted).toFixed(2)}× after a completion too.
`,
  );
}
