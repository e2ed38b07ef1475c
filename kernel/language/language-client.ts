/**
 * The main thread's handle on the language worker. Requests are answered in order; a failed
 * request is an error for its caller only, and a worker that died fails every later request.
 *
 * The worker holds TypeScript's language service, about half of an idle kernel's memory (see
 * BENCHMARKS.md, Kernel memory). So it stops after `idleMs` without a request and starts again at
 * the next one, replaying the cells committed so far (their text is all it needs), so that many
 * users' idle kernels fit on one machine. The first request after a pause waits for the start.
 */
import type { Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "../worker-thread.ts";
import type { LanguageRequest, LanguageResponse, LanguageResults } from "./language-protocol.ts";

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** LIGHTBOOK_KERNEL_LANGUAGE_IDLE_MS, else five minutes. */
export function languageIdleMs(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.LIGHTBOOK_KERNEL_LANGUAGE_IDLE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 5 * 60_000;
}

export class LanguageClient {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  /** Every committed cell, in order: what a new worker is given before anything else. */
  readonly #committed: string[] = [];
  #nextId = 1;
  #failure: Error | undefined;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: string,
    private readonly idleMs = languageIdleMs(),
  ) {
    this.#start();
  }

  request<K extends LanguageRequest["op"]>(request: Extract<LanguageRequest, { op: K }>): Promise<LanguageResults[K]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const worker = this.#worker ?? this.#start();
    clearTimeout(this.#idle);
    if (request.op === "commit") this.#committed.push(request.code);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    const worker = startTypeScriptWorker(new URL("./language-worker.ts", import.meta.url), this.dir);
    this.#worker = worker;
    // The worker must not keep a kernel alive that has been told to exit.
    worker.unref();
    worker.on("message", (response: LanguageResponse) => {
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      if ("error" in response) pending.reject(new Error(`language service: ${response.error}`));
      else pending.resolve(response.result);
      if (this.#pending.size === 0) this.#armIdle();
    });
    const fail = (error: Error) => {
      // A worker this client stopped (idle, close) is no failure.
      if (this.#worker !== worker) return;
      this.#failure = error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`language worker exited (${code})`)));
    // Messages are answered in order: the replayed cells are in place before any new request.
    for (const code of this.#committed) worker.postMessage({ id: 0, request: { op: "commit", code } satisfies LanguageRequest });
    this.#armIdle();
    return worker;
  }

  #armIdle(): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      if (this.#pending.size === 0) void this.close();
    }, this.idleMs).unref();
  }
}
