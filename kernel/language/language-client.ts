/**
 * The main thread's handle on the language worker. Requests are answered in order; a failed
 * request is an error for its caller only, and a dead worker fails every later request.
 */
import type { Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "../worker-thread.ts";
import type { LanguageRequest, LanguageResponse, LanguageResults } from "./language-protocol.ts";

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

export class LanguageClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  constructor(dir: string) {
    this.#worker = startTypeScriptWorker(new URL("./language-worker.ts", import.meta.url), dir);
    // The worker must not keep a kernel alive that has been told to exit.
    this.#worker.unref();
    this.#worker.on("message", (response: LanguageResponse) => {
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      if ("error" in response) pending.reject(new Error(`language service: ${response.error}`));
      else pending.resolve(response.result);
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) => fail(new Error(`language worker exited (${code})`)));
  }

  request<K extends LanguageRequest["op"]>(request: Extract<LanguageRequest, { op: K }>): Promise<LanguageResults[K]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.#worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
