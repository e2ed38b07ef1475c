/**
 * Kernel protocol speed (issue 3): Lightbook's TypeScript kernel against Debian's python3-ipykernel,
 * both driven by the same client (ZmqKernelClient) in one run.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/kernel.ts [--write]
 *
 *  1. Round trip of a trivial cell: execute_request sent → execute_reply and idle status received.
 *  2. iopub throughput: one cell printing 10,000 short lines, from execute_request to idle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZmqKernelClient } from '../kernel/client/zmq-client.ts';
import { kernelJson } from '../kernel/kernelspec/spec.ts';
import { allocateConnection, writeConnectionFile } from '../kernel/protocol/connection.ts';
import { isStatusMessage, isStreamMessage, type Message } from '../kernel/protocol/messages.ts';
import { makeMessage } from '../kernel/protocol/reply.ts';
import { pythonBenchEnv, writeBenchmarkSection } from './benchmarks-md.ts';
import { quantile } from './stats.ts';

const ROUND_TRIPS = 1000;
const WARMUP = 50;
const PRINTS = 10_000;
const THROUGHPUT_RUNS = 5;

interface Peer {
  name: string;
  argv: string[];
  trivial: string;
  prints: string;
  env: NodeJS.ProcessEnv;
}

const PEERS: Peer[] = [
  {
    name: 'Lightbook TypeScript kernel',
    argv: kernelJson().argv,
    trivial: '1 + 1',
    prints: `for (let i = 0; i < ${PRINTS}; i++) console.log(i);`,
    env: process.env,
  },
  {
    name: 'ipykernel (Debian python3-ipykernel)',
    argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    trivial: '1 + 1',
    prints: `for i in range(${PRINTS}): print(i)`,
    env: pythonBenchEnv(),
  },
];


interface Running {
  client: ZmqKernelClient;
  proc: ChildProcess;
  dir: string;
}

async function start(peer: Peer): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'lightbook-bench-kernel-'));
  const conn = await allocateConnection('127.0.0.1');
  const file = join(dir, 'connection.json');
  await writeConnectionFile(file, conn);
  const [command, ...args] = peer.argv.map((a) => a.replace('{connection_file}', file));
  const proc = spawn(command ?? '', args, { cwd: dir, env: peer.env, stdio: ['ignore', 'ignore', 'inherit'] });
  const client = new ZmqKernelClient(conn);
  await client.connect();
  await client.waitForReady(30_000);
  return { client, proc, dir };
}

/** Sends a cell and resolves, with the stream messages it caused, once both its reply and idle are in. */
function execute(client: ZmqKernelClient, code: string): Promise<Message[]> {
  const request = makeMessage(
    'execute_request',
    { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    { session: client.session, channel: 'shell' },
  );
  return new Promise((resolve, reject) => {
    const streams: Message[] = [];
    let replied = false;
    let idle = false;
    const off = client.onMessage((m) => {
      if (m.parent_header.msg_id !== request.header.msg_id) return;
      if (m.header.msg_type === 'execute_reply') replied = true;
      if (isStreamMessage(m)) streams.push(m);
      if (isStatusMessage(m) && m.content.execution_state === 'idle') idle = true;
      if (replied && idle) {
        off();
        resolve(streams);
      }
    });
    client.send(request).catch(reject);
  });
}

async function measure(peer: Peer): Promise<{ p50: number; p99: number; printsPerSecond: number; lines: number }> {
  const running = await start(peer);
  try {
    for (let i = 0; i < WARMUP; i++) await execute(running.client, peer.trivial);
    const latencies: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const t0 = performance.now();
      await execute(running.client, peer.trivial);
      latencies.push(performance.now() - t0);
    }
    const rates: number[] = [];
    let lines = 0;
    for (let i = 0; i < THROUGHPUT_RUNS; i++) {
      const t0 = performance.now();
      const streams = await execute(running.client, peer.prints);
      const seconds = (performance.now() - t0) / 1000;
      lines = streams.reduce((n, m) => n + (isStreamMessage(m) ? m.content.text.split('\n').length - 1 : 0), 0);
      rates.push(PRINTS / seconds);
    }
    if (lines !== PRINTS) throw new Error(`${peer.name}: ${lines} lines arrived, not ${PRINTS}`);
    return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), printsPerSecond: quantile(rates, 0.5), lines };
  } finally {
    await running.client.close();
    running.proc.kill('SIGKILL');
    await rm(running.dir, { recursive: true, force: true });
  }
}

interface Result {
  peer: Peer;
  p50: number;
  p99: number;
  printsPerSecond: number;
}

const loadAtStart = loadavg()[0] ?? NaN;
const results: Result[] = [];
for (const peer of PEERS) {
  const r = await measure(peer);
  console.log(`${peer.name}: round trip p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; ${Math.round(r.printsPerSecond)} prints/s`);
  results.push({ peer, ...r });
}
const [ours, ipykernel] = results;
if (ours && ipykernel && process.argv.includes('--write')) {
  const row = (r: Result) =>
    `| ${r.peer.name} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.printsPerSecond).toLocaleString('en')} |`;
  await writeBenchmarkSection(
    '## Kernel: round trip and iopub throughput',
    `## Kernel: round trip and iopub throughput

\`flock /tmp/benchmarks.lock node --import tsx bench/kernel.ts --write\` — both kernels driven by the same
client (\`ZmqKernelClient\`, ZMQ on 127.0.0.1) in one run. Round trip: a trivial cell (\`1 + 1\`),
execute_request sent → execute_reply and idle received, ${ROUND_TRIPS} times after ${WARMUP} warm-up
cells. Throughput: one cell printing ${PRINTS.toLocaleString('en')} short lines, execute_request → idle,
median of ${THROUGHPUT_RUNS}; all lines checked to arrive. Load average when the run started:
${loadAtStart.toFixed(1)} on ${availableParallelism()} cores (shared with other work, so figures vary between runs).

| kernel | round trip p50 (ms) | p99 (ms) | prints/s |
| --- | --- | --- | --- |
${row(ours)}
${row(ipykernel)}

Ratios (Lightbook / ipykernel): median latency ${(ours.p50 / ipykernel.p50).toFixed(2)}× (lower is better),
throughput ${(ours.printsPerSecond / ipykernel.printsPerSecond).toFixed(2)}× (higher is better).
Every Lightbook cell is also type-checked in the language worker while it runs; a cell whose text
and session declarations are unchanged (as here) reuses its check, a new cell costs ~10–20 ms of
checking in parallel with running it.
`,
  );
}
