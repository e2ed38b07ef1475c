/**
 * Azimuthal integration across threads (issue 12, item 18): each frame's CSR gather split across a
 * persistent pool of worker threads and the calling thread. The lookup, the frames and the per-row
 * sums are shared through SharedArrayBuffers, so a job's message carries views, not copies; the
 * work of a job is cut into tasks (one frame × one chunk of CSR rows) that every thread takes in
 * turn from one atomic counter, so a thread slowed by other processes on the machine takes fewer.
 * Each task writes only its own rows' sums, and the calling thread adds them into their bins in row
 * order (CsrEngine.binRows), each task's rows as soon as it and those before it are finished: the
 * bins are bit for bit those of one thread, and the serial binning overlaps the workers' gathering.
 *
 * The calling thread never waits for a worker: once no task is left to take, it does again any task
 * a worker has taken but not finished. Both write the same values into the same rows (the sum is
 * deterministic), so the result cannot depend on which thread wrote last, and a worker that is
 * descheduled, slow to wake or dead cannot hold a frame up; so the call is synchronous, as
 * `integrate` is. Measured against waiting for the last worker's message (frames taken in turn with
 * one thread, Eiger 4M, 2 cores): the same speed, 1.79–1.80× one thread against 1.77–1.81×, and
 * about 1.0× for both while another process kept a core busy. A job's scratch buffers are reused
 * only after every worker has left the job.
 */
import os from "node:os";
import { Worker } from "node:worker_threads";
import { type BinSums, type CsrEngine, sharedArray, type SharedArrayConstructor, sumCsrRows } from "./engines.ts";
import { parameterError, type PixelArray } from "./errors.ts";

/** What a job shares with the workers: views over SharedArrayBuffers only. */
interface Job {
  /**
   * [0] the next task to take, [1] how many workers have left the job, [2 + t] 1 once task t is
   * finished (by any thread; its rows are then written).
   */
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
 * Does task `t`, by default the next that no thread has taken; false when there was none. Workers
 * run this function's source text, as `sumCsrRows`'s, hence the row sum passed in; so it defines no
 * function inside (engines.ts says why).
 */
function runTask(job: Job, sumRows: typeof sumCsrRows, t: number = Atomics.add(job.control, 0, 1)): boolean {
  const chunks = job.bounds.length - 1;
  if (t >= job.frames.length * chunks) return false;
  const f = Math.floor(t / chunks);
  const c = t - f * chunks;
  sumRows(job.indptr, job.indices, job.data, job.frames[f]!, job.bounds[c]!, job.bounds[c + 1]!, job.rowSums[f]!, job.rowVars?.[f]);
  Atomics.store(job.control, 2 + t, 1);
  return true;
}

/** A plain script, so a worker needs no TypeScript loader (kernel/worker-thread.ts says what tsx costs a thread). */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const sumRows = (${sumCsrRows.toString()});
const runTask = (${runTask.toString()});
parentPort.on("message", (job) => {
  while (runTask(job, sumRows));
  Atomics.add(job.control, 1, 1);
});
`;

/**
 * Tasks per thread and frame: enough that a thread slowed by another process leaves its share to the
 * others, and that a task done twice at the end is small (16 and 32 were no faster in runs here).
 */
const CHUNKS_PER_THREAD = 8;

/** Scratch buffers (frame copies, row sums) kept for reuse: fresh pages cost a fault each (frame-malloc.ts). */
const KEPT_SCRATCH_BYTES = 256 * 2 ** 20;

/** Jobs whose buffers wait for a worker to leave them; past this many the oldest are left to the collector. */
const MAX_LENT_JOBS = 8;

/**
 * A persistent pool of `threads − 1` worker threads, the calling thread being the last: create it
 * once and reuse it for every frame. Its workers never keep the process alive (they are unref'd);
 * `close()` ends them. After a worker failed, the pool refuses work with that error.
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
  readonly #bounds = new WeakMap<CsrEngine, Int32Array>();
  readonly #scratch = new Map<number, SharedArrayBuffer[]>();
  #scratchBytes = 0;
  /** Jobs done on this thread whose buffers a worker may still write (the same values) or read. */
  #lent: { control: Int32Array; buffers: SharedArrayBuffer[] }[] = [];
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
    worker.on("error", (e) => (this.#failure ??= new Error(`an azimuthal integration worker failed: ${e.message}`, { cause: e })));
    worker.on("exit", (code) => (this.#failure ??= new Error(`an azimuthal integration worker exited (code ${code})`)));
    return worker;
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    this.#failure ??= new Error("the azimuthal integration pool is closed");
    if (IntegrationPool.#shared === this) IntegrationPool.#shared = undefined;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  /**
   * Each frame's per-bin sums through `csr`, bit for bit those of `csr.integrate`. Frames whose
   * buffer is a SharedArrayBuffer (e.g. from `sharedArray`, filled by an HDF5 read `into` it) are
   * read in place; any other is copied into one first.
   */
  binSums(csr: CsrEngine, frames: readonly PixelArray[]): BinSums[] {
    if (this.#failure) throw this.#failure;
    this.#takeBack();
    const { indptr, indices, data } = csr.matrix;
    const buffers: SharedArrayBuffer[] = [];
    const take = <A extends PixelArray>(Type: SharedArrayConstructor<A>, length: number): A => {
      const buffer = this.#take(length * Type.BYTES_PER_ELEMENT);
      buffers.push(buffer);
      return new Type(buffer);
    };
    const shared = frames.map((f) => {
      if (f.buffer instanceof SharedArrayBuffer) return f;
      // Every PixelArray's constructor is a typed-array constructor.
      const copy = take(f.constructor as SharedArrayConstructor<PixelArray>, f.length);
      copy.set(f);
      return copy;
    });
    const bounds = this.#chunks(csr);
    const job: Job = {
      control: sharedArray(Int32Array, 2 + frames.length * (bounds.length - 1)),
      indptr,
      indices,
      data,
      bounds,
      frames: shared,
      rowSums: frames.map(() => take(Float64Array, csr.rows)),
      rowVars: csr.poisson ? frames.map(() => take(Float64Array, csr.rows)) : undefined,
    };
    for (const w of this.#workers) w.postMessage(job);
    // Tasks in order are each frame's rows in order: each finished task at the front is binned at
    // once, while the workers still gather, so little of the (serial) binning is left at the end.
    const bins = shared.map((frame, f) => csr.binRows(frame, { rowSum: job.rowSums[f]!, ...(job.rowVars ? { rowVar: job.rowVars[f]! } : {}) }));
    const chunks = bounds.length - 1;
    for (let t = 0; t < frames.length * chunks;) {
      if (Atomics.load(job.control, 2 + t) === 1) {
        const c = t % chunks;
        bins[(t - c) / chunks]!.add(bounds[c]!, bounds[c + 1]!);
        t++;
      } else if (!runTask(job, sumCsrRows)) runTask(job, sumCsrRows, t);
    }
    this.#lent.push({ control: job.control, buffers });
    return bins.map((b) => b.finish());
  }

  /** Keeps for reuse the buffers of the jobs every worker has left. */
  #takeBack(): void {
    const still = this.#lent.filter(({ control, buffers }) => {
      if (Atomics.load(control, 1) < this.#workers.length) return true;
      for (const buffer of buffers) this.#keep(buffer);
      return false;
    });
    this.#lent = still.slice(-MAX_LENT_JOBS);
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
