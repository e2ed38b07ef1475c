/**
 * Worker threads that serve the h5grove API's reads (read-worker.ts), so that the server's own
 * thread keeps answering (/api, kernels' WebSockets) while a file is read and decoded.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { Logger } from "../../runtime/log.ts";
import { TSX_LOADER } from "../paths.ts";
import type { GroveReply, GroveTask, GroveWorkerData } from "./tasks.ts";

export class H5ReadPool {
  readonly #pool: Piscina<GroveTask, GroveReply>;
  readonly #log: Logger;

  constructor(data: GroveWorkerData, log: Logger) {
    this.#log = log;
    this.#pool = new Piscina({
      filename: new URL("./read-worker.ts", import.meta.url).href,
      // Workers inherit `--import tsx` when the server was started so; `npm start` registers tsx in
      // its own thread (bin/lightbook.mjs), which workers do not inherit, and Node 24's own type
      // stripping then refuses our TypeScript: so they get the loader themselves.
      execArgv: process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", TSX_LOADER],
      workerData: data,
      // Each worker holds its own h5wasm (its WebAssembly memory grows to the largest read): few.
      maxThreads: Math.max(1, Math.min(4, availableParallelism())),
      // One kept ready: starting a worker (tsx, h5wasm) took 3.6 s on a loaded machine, a first
      // H5Web request would wait for it. Those beyond it leave after a minute idle, with their memory.
      minThreads: 1,
      idleTimeout: 60_000,
    });
    // A worker that fails to start rejects its task; unheard, the pool's 'error' would end the server.
    this.#pool.on("error", (err: unknown) => log.error({ err }, "HDF5 read worker failed"));
  }

  run(task: GroveTask): Promise<GroveReply> {
    this.#log.debug({ op: task.op, file: task.file, path: task.path }, "HDF5 read sent to a worker");
    return this.#pool.run(task);
  }

  close(): Promise<void> {
    return this.#pool.close({ force: true });
  }
}
