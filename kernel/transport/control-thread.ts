/**
 * The main thread's side of the control thread (control-worker.ts): messages arrive through
 * `onFrames` and are acknowledged at once, which tells the control thread JavaScript is running
 * here; replies go back through `send`.
 */
import process from "node:process";
import type { Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "../worker-thread.ts";
import type { ControlThreadData, FromControl, ToControl } from "./control-protocol.ts";

const STOP_TIMEOUT_MS = 2000;

export interface ControlHandlers {
  /** Each message received on control, verified by nobody yet. */
  onFrames: (frames: Buffer[]) => void;
  /** The control thread terminated JavaScript stuck on this thread, to deliver an interrupt. */
  onTerminated: () => void;
}

export class ControlThread {
  readonly #worker: Worker;
  readonly #stopped: Int32Array;
  readonly #stopOnExit = () => this.#stopSync();

  private constructor(worker: Worker, stopped: Int32Array, handlers: ControlHandlers) {
    this.#worker = worker;
    this.#stopped = stopped;
    const { onFrames, onTerminated } = handlers;
    worker.on("message", (message: FromControl) => {
      if (message.kind === "terminated") onTerminated();
      if (message.kind !== "frames") return;
      this.#post({ kind: "ack", seq: message.seq });
      onFrames(message.frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
    });
    // zeromq aborts the process if a thread exits with a receive pending, and process.exit()
    // (from anywhere, user cells included) ends the worker thread, so stop its sockets first.
    process.once("exit", this.#stopOnExit);
  }

  static start(sockets: Omit<ControlThreadData, "stopped">, handlers: ControlHandlers): Promise<ControlThread> {
    const stopped = new SharedArrayBuffer(4);
    const data: ControlThreadData = { ...sockets, stopped };
    const worker = startTypeScriptWorker(new URL("./control-worker.ts", import.meta.url), data);
    return new Promise((resolve, reject) => {
      worker.once("message", () => resolve(new ControlThread(worker, new Int32Array(stopped), handlers)));
      worker.once("error", reject);
    });
  }

  send(frames: Buffer[]): void {
    this.#post({ kind: "send", frames });
  }

  async close(): Promise<void> {
    process.off("exit", this.#stopOnExit);
    const exited = new Promise((resolve) => this.#worker.once("exit", resolve));
    this.#post({ kind: "close" });
    await exited;
  }

  #post(message: ToControl): void {
    this.#worker.postMessage(message);
  }

  #stopSync(): void {
    this.#post({ kind: "close" });
    Atomics.wait(this.#stopped, 0, 0, STOP_TIMEOUT_MS);
  }
}
