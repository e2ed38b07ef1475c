/**
 * The heartbeat REP socket, echoing every ping. It runs in a worker thread, as ipykernel runs it
 * in its own thread, so a cell busy in synchronous code does not look like a dead kernel.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#heartbeat-for-kernels
 *
 * With an orphan grace (kernels launched by Lightbook's server, which pings every few seconds
 * and may restart without stopping its kernels), the kernel ends itself once no ping came for
 * that long: its server is gone for good. The check runs here, so a cell stuck in a loop on the
 * main thread does not keep an orphan alive; SIGTERM ends it as kernel/main.ts handles it.
 */
import { createRequire } from "node:module";
import process from "node:process";
import { Worker } from "node:worker_threads";

// Plain CommonJS: workers do not inherit the tsx loader, and this needs none.
// `stopped` (shared memory) is set once the socket is closed and its receive loop has ended.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Reply } = require(workerData.zeromq);
const stopped = new Int32Array(workerData.stopped);
const socket = new Reply({ linger: 0 });
let lastPing = Date.now();
const grace = workerData.orphanGraceMs;
const orphanCheck = grace && setInterval(() => {
  if (Date.now() - lastPing <= grace) return;
  clearInterval(orphanCheck);
  // Straight to fd 2 as kernel/log.ts writes: the main thread may be stuck in a cell.
  try {
    require('node:fs').writeSync(2, '[lightbook-kernel ' + new Date().toISOString() + '] no heartbeat ping for ' + grace + ' ms (LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS): its server is gone; exiting\\n');
  } catch {}
  process.kill(process.pid, 'SIGTERM');
}, Math.min(1000, grace));
parentPort.once('message', () => {
  if (orphanCheck) clearInterval(orphanCheck);
  socket.close();
});
socket.bind(workerData.endpoint).then(async () => {
  parentPort.postMessage('bound');
  try {
    for await (const [ping] of socket) {
      lastPing = Date.now();
      await socket.send(ping);
    }
  } finally {
    parentPort.close();
    Atomics.store(stopped, 0, 1);
    Atomics.notify(stopped, 0);
  }
});
`;

const STOP_TIMEOUT_MS = 2000;

export class Heartbeat {
  readonly #worker: Worker;
  readonly #stopped: Int32Array;
  readonly #stopOnExit = () => this.#stopSync();

  private constructor(worker: Worker, stopped: Int32Array) {
    this.#worker = worker;
    this.#stopped = stopped;
    // zeromq aborts the process if a thread exits with a receive pending, and process.exit()
    // (from anywhere, user cells included) ends the worker thread, so stop it first.
    process.once("exit", this.#stopOnExit);
  }

  /** Resolves once the socket is bound; rejects if binding fails. */
  static start(endpoint: string, orphanGraceMs?: number): Promise<Heartbeat> {
    const zeromq = createRequire(import.meta.url).resolve("zeromq");
    const stopped = new SharedArrayBuffer(4);
    // A small young generation, as the kernel's other threads (worker-thread.ts).
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { zeromq, endpoint, stopped, orphanGraceMs },
      resourceLimits: { maxYoungGenerationSizeMb: 3 },
    });
    return new Promise((resolve, reject) => {
      worker.once("message", () => resolve(new Heartbeat(worker, new Int32Array(stopped))));
      worker.once("error", reject);
    });
  }

  async close(): Promise<void> {
    process.off("exit", this.#stopOnExit);
    const exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    this.#worker.postMessage("close");
    await exited;
  }

  #stopSync(): void {
    this.#worker.postMessage("close");
    Atomics.wait(this.#stopped, 0, 0, STOP_TIMEOUT_MS);
  }
}
