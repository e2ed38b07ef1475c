/**
 * Azimuthal integration across threads (issue 12, item 18): each frame's CSR gather split across a
 * persistent pool of worker threads and the calling thread. The lookup, the frames and the per-row
 * sums are shared through SharedArrayBuffers, so a job's message carries views, not copies; the
 * work of a job is cut into tasks (one frame × one chunk of CSR rows) that every thread takes in
 * turn from one atomic counter, so a thread slowed by other processes on the machine takes fewer.
 * Each task writes only its own rows' sums, and the calling thread adds them into their bins in row
 * order afterwards (CsrEngine.binRows): the bins are bit for bit those of one thread.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { type BinSums, type CsrEngine, sharedArray, type SharedArrayConstructor, sumCsrRows } from "./engines.ts";
import { parameterError, type PixelArray } from "./errors.ts";

/** What a job shares with the workers: views over SharedArrayBuffers only. */
interface Job {
  readonly id: number;
  /** [next task to take, tasks finished] */
  readonly control: Int32Array;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array | undefined;
  /** Chunk c covers CSR rows [bounds[c], bounds[c + 1]). */
  readonly bounds: Int32Array;
  readonly frames: PixelArray[];
  readonly rowSums: Float64Array[];
  readonly rowVars: Float64Array[] | undefined;
}

/**
 * Takes a job's tasks until none is left; true when this thread finished the job's last task (only
 * that thread reports, so a worker woken after the others took everything sends nothing). Workers
 * run this function's source text as `sumCsrRows`'s, hence the row sum passed in.
 */
function runTasks(job: Job, sumRows: typeof sumCsrRows): boolean {
  const chunks = job.bounds.length - 1;
  const total = job.frames.length * chunks;
  let last = false;
  for (let t = Atomics.add(job.control, 0, 1); t < total; t = Atomics.add(job.control, 0, 1)) {
    const f = Math.floor(t / chunks);
    const c = t - f * chunks;
    sumRows(job.indptr, job.indices, job.data, job.frames[f]!, job.bounds[c]!, job.bounds[c + 1]!, job.rowSums[f]!, job.rowVars?.[f]);
    if (Atomics.add(job.control, 1, 1) + 1 === total) last = true;
  }
  return last;
}

/** A plain script, so a worker needs no TypeScript loader (kernel/worker-thread.ts says what tsx costs a thread). */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const sumRows = (${sumCsrRows.toString()});
const runTasks = (${runTasks.toString()});
parentPort.on("message", (job) => {
  if (runTasks(job, sumRows)) parentPort.postMessage(job.id);
});
`;

/** Tasks per thread and frame: enough that a thread slowed by another process leaves its share to the others. */
const CHUNKS_PER_THREAD = 8;

/** Scratch buffers (frame copies, row sums) kept for reuse: fresh pages cost a fault each (frame-malloc.ts). */
const KEPT_SCRATCH_BYTES = 256 * 2 ** 20;

/**
 * A persistent pool of `threads − 1` worker threads, the calling thread being the last: create it
 * once and reuse it for every frame. Its workers do not keep the process alive while it has no job
 * (they are unref'd); `close()` ends them. A worker that fails fails the pool's pending jobs and the
 * pool with them.
 */
export class IntegrationPool {
  static #shared: IntegrationPool | undefined;

  /** One pool for the process, with a thread per core (os.availableParallelism()), made on first use. */
  static shared(): IntegrationPool {
    IntegrationPool.#shared ??= new IntegrationPool();
    return IntegrationPool.#shared;
  }

  readonly threads: number;
  readonly #workers: Worker[];
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #bounds = new WeakMap<CsrEngine, Int32Array>();
  readonly #scratch = new Map<number, SharedArrayBuffer[]>();
  #scratchBytes = 0;
  #nextId = 0;
  #failure: Error | undefined;

  constructor(threads: number = os.availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) throw parameterError("threads", `must be a whole number ≥ 1 (got ${String(threads)})`);
    this.threads = threads;
    this.#workers = Array.from({ length: threads - 1 }, () => this.#startWorker());
  }

  #startWorker(): Worker {
    // Almost nothing is allocated in a worker: a small young generation saves its reservation.
    const worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    worker.unref();
    worker.on("message", (id: number) => this.#settle(id));
    worker.on("error", (e) => this.#fail(new Error(`an azimuthal integration worker failed: ${e.message}`, { cause: e })));
    worker.on("exit", (code) => this.#fail(new Error(`an azimuthal integration worker exited (code ${code})`)));
    return worker;
  }

  #settle(id: number, error?: Error): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    // Workers keep the process alive only while a job waits for them.
    if (this.#pending.size === 0) for (const w of this.#workers) w.unref();
    if (error) pending.reject(error);
    else pending.resolve();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const id of [...this.#pending.keys()]) this.#settle(id, this.#failure);
  }

  /** Ends the workers; jobs still running are rejected. */
  async close(): Promise<void> {
    this.#fail(new Error("the azimuthal integration pool is closed"));
    if (IntegrationPool.#shared === this) IntegrationPool.#shared = undefined;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /**
   * Each frame's per-bin sums through `csr`, bit for bit those of `csr.integrate`. Frames whose
   * buffer is a SharedArrayBuffer (e.g. from `sharedArray`, filled by an HDF5 read `into` it) are
   * read in place; any other is copied into one first.
   */
  async binSums(csr: CsrEngine, frames: readonly PixelArray[]): Promise<BinSums[]> {
    if (this.#failure) throw this.#failure;
    // No task would finish, so nothing would settle the job.
    if (frames.length === 0) return [];
    const { indptr, indices, data } = csr.matrix;
    const scratch: SharedArrayBuffer[] = [];
    const take = <A extends PixelArray>(Type: SharedArrayConstructor<A>, length: number): A => {
      const buffer = this.#take(length * Type.BYTES_PER_ELEMENT);
      scratch.push(buffer);
      return new Type(buffer);
    };
    const shared = frames.map((f) => {
      if (f.buffer instanceof SharedArrayBuffer) return f;
      // Every PixelArray's constructor is a typed-array constructor.
      const copy = take(f.constructor as SharedArrayConstructor<PixelArray>, f.length);
      copy.set(f);
      return copy;
    });
    const job: Job = {
      id: this.#nextId++,
      control: sharedArray(Int32Array, 2),
      indptr,
      indices,
      data,
      bounds: this.#chunks(csr),
      frames: shared,
      rowSums: frames.map(() => take(Float64Array, csr.rows)),
      rowVars: csr.poisson ? frames.map(() => take(Float64Array, csr.rows)) : undefined,
    };
    try {
      const done = new Promise<void>((resolve, reject) => this.#pending.set(job.id, { resolve, reject }));
      for (const w of this.#workers) {
        w.ref();
        w.postMessage(job);
      }
      if (runTasks(job, sumCsrRows)) this.#settle(job.id);
      await done;
      return shared.map((frame, f) => csr.binRows(frame, { rowSum: job.rowSums[f]!, ...(job.rowVars ? { rowVar: job.rowVars[f]! } : {}) }));
    } finally {
      for (const buffer of scratch) this.#keep(buffer);
    }
  }

  #take(bytes: number): SharedArrayBuffer {
    const kept = this.#scratch.get(bytes)?.pop();
    if (!kept) return new SharedArrayBuffer(bytes);
    this.#scratchBytes -= bytes;
    return kept;
  }

  #keep(buffer: SharedArrayBuffer): void {
    if (this.#scratchBytes + buffer.byteLength > KEPT_SCRATCH_BYTES) return;
    this.#scratchBytes += buffer.byteLength;
    const list = this.#scratch.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.#scratch.set(buffer.byteLength, list);
  }

  /** Chunk bounds holding about equal numbers of contributions, CHUNKS_PER_THREAD per thread. */
  #chunks(csr: CsrEngine): Int32Array {
    let bounds = this.#bounds.get(csr);
    if (bounds) return bounds;
    const { indptr } = csr.matrix;
    const rows = csr.rows;
    const nnz = indptr[rows]!;
    const wanted = Math.max(1, Math.min(rows, this.threads * CHUNKS_PER_THREAD));
    const cuts = [0];
    for (let c = 1, row = 0; c < wanted; c++) {
      const target = (c * nnz) / wanted;
      while (row < rows && indptr[row]! < target) row++;
      if (row > cuts.at(-1)! && row < rows) cuts.push(row);
    }
    cuts.push(rows);
    bounds = sharedArray(Int32Array, cuts.length);
    bounds.set(cuts);
    this.#bounds.set(csr, bounds);
    return bounds;
  }
}
