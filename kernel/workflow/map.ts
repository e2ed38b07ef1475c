/**
 * The workflow API cells use:
 *
 *   const sums = await workflow.map(frames('demo/scan_0001.h5', '/entry/data/data'), 'frame-sum', {}, { chunk: 4 });
 *   const squares = await workflow.map(workflow.range(0, 100), (i) => i * i);
 *   const sweeps = await workflow.map(workflow.files(['sweeps/a', 'sweeps/b']), { program: 'dials.sweep' }, { nproc: 1 });
 *
 * `map` submits a run to the server, which partitions it into tasks for the node agents; it shows
 * a live progress display that updates in place, and resolves with one result per item in input
 * order (the data sorter), optionally reduced; a task's equally long typed arrays (an integrated
 * pattern per frame) come back as typed arrays. Interrupting the cell cancels the run's pending
 * tasks. If the server cannot be reached for `serverTimeoutMs`, it rejects saying so: it never hangs.
 */
import { randomUUID } from "node:crypto";
import type { AgentModel } from "../../contracts/agents.ts";
import type { RunModel, StepInput } from "../../contracts/runs.ts";
import type { RecipeInput, RunsClient } from "./client.ts";
import { RunsApiError } from "./runs-api-error.ts";
import { progressBundle, rate, type ProgressSample } from "./progress.ts";

/** What a map works on: frames of a dataset, files, an index range, or explicit JSON items. */
export type MapInput = StepInput | unknown[];

/**
 * A named algorithm, a self-contained function that agents run from its source, or an installed
 * program of the allow-list (`{ program: "dials.sweep" }`, on files or folders: `workflow.files([...])`).
 */
export type MapFunction = string | ((item: never, params: never, ctx: never) => unknown) | { program: string };

export interface MapOptions {
  /** Items per task (default: 1). Larger chunks for tiny items cut scheduling overhead. */
  chunk?: number;
  /** Attempts per task before it fails for good (default 3). */
  maxAttempts?: number;
  /** Idempotency key: the same key returns the same run (default: a new one per call). */
  key?: string;
  name?: string;
  /** Reduce the ordered results: a function run here, or a named algorithm run by an agent (e.g. 'sum'). */
  reduce?: string | ((results: unknown[]) => unknown);
  /** Show the live progress display (default true). */
  progress?: boolean;
  /** Give up (and say so) when the server does not answer for this long (default 120 s). */
  serverTimeoutMs?: number;
  /** Cancels the run when aborted; by default the running cell's interrupt. */
  signal?: AbortSignal;
}

export interface Display {
  show(bundle: Record<string, string>, id: string): void;
  update(bundle: Record<string, string>, id: string): void;
}

export class WorkflowError extends Error {
  override name = "WorkflowError";

  constructor(
    message: string,
    readonly run: RunModel,
    /** Results of the partitions that succeeded, by partition. */
    readonly partial: Map<number, unknown[]> = new Map(),
  ) {
    super(message);
  }
}

export class WorkflowCancelledError extends Error {
  override name = "KeyboardInterrupt";
}

export interface WorkflowDeps {
  /** Asynchronous: the client's module (and the contracts it parses with) loads at the first use. */
  client: () => Promise<RunsClient>;
  display: Display;
  /** The running cell's abort signal (its interrupt), if a cell runs. */
  cellSignal: () => AbortSignal | undefined;
  now?: () => number;
}

const DEFAULT_SERVER_TIMEOUT_MS = 120_000;

export function toStepInput(input: MapInput): StepInput {
  if (Array.isArray(input)) return { kind: "items", items: input };
  return input;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** The run as it ended when its `run.state` event said succeeded: all `total` tasks did. */
function succeededRun(known: RunModel, total: number): RunModel {
  return { ...known, state: "succeeded", open: false, counts: { total, queued: 0, running: 0, succeeded: total, failed: 0, cancelled: 0 } };
}

export class Workflow {
  readonly #now: () => number;

  constructor(private readonly deps: WorkflowDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Frames start..stop of an HDF5 dataset (relative to the data root), one item each. */
  frames(file: string, dataset: string, range: { start?: number; stop?: number } = {}): StepInput {
    return { kind: "frames", file, dataset, start: range.start ?? 0, ...(range.stop === undefined ? {} : { stop: range.stop }) };
  }

  files(files: string[]): StepInput {
    return { kind: "files", files };
  }

  range(start: number, stop?: number): StepInput {
    return stop === undefined ? { kind: "range", start: 0, stop: start } : { kind: "range", start, stop };
  }

  async map(input: MapInput, fn: MapFunction, params: Record<string, unknown> = {}, opts: MapOptions = {}): Promise<unknown> {
    const step = {
      id: "map",
      ...(typeof fn === "string" ? { algorithm: fn } : typeof fn === "function" ? { source: fn.toString() } : { program: fn.program }),
      params,
      input: toStepInput(input),
      chunk: opts.chunk ?? 1,
      max_attempts: opts.maxAttempts ?? 3,
    };
    const recipe: RecipeInput = { steps: [step] };
    if (typeof opts.reduce === "string")
      recipe.steps.push({ id: "reduce", algorithm: opts.reduce, input: { kind: "results", step: "map" }, max_attempts: opts.maxAttempts ?? 3 });
    const label = opts.name ?? (typeof fn === "string" ? fn : typeof fn === "function" ? fn.name || "function" : fn.program);
    const run = await this.run(recipe, { ...opts, name: label });
    const items = await this.#results(run, "map");
    if (typeof opts.reduce === "string") return (await this.#results(run, "reduce"))[0];
    return typeof opts.reduce === "function" ? opts.reduce(items) : items;
  }

  /**
   * Submits a whole recipe (several steps) and follows it to its end with the progress display;
   * resolves with the ended run, rejects with WorkflowError if it failed.
   */
  async run(recipe: RecipeInput, opts: Pick<MapOptions, "key" | "name" | "progress" | "serverTimeoutMs" | "signal"> = {}): Promise<RunModel> {
    const client = await this.deps.client();
    const signal = opts.signal ?? this.deps.cellSignal();
    signal?.throwIfAborted();
    const run = await client.submit(recipe, { key: opts.key ?? randomUUID(), name: opts.name });
    return this.follow(run.id, { ...opts, name: opts.name ?? run.name, signal }, run);
  }

  /** Follows an existing run (e.g. after a map gave up on an unreachable server) to its end. */
  async follow(id: string, opts: Pick<MapOptions, "name" | "progress" | "serverTimeoutMs" | "signal"> = {}, known?: RunModel): Promise<RunModel> {
    const client = await this.deps.client();
    const signal = opts.signal ?? this.deps.cellSignal();
    const displayId = `lightbook-run-${id}`;
    const label = opts.name || `run ${id.slice(0, 8)}`;
    const started = this.#now();
    const samples: ProgressSample[] = [];
    const timeout = opts.serverTimeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
    let shown = false;
    let lastShownAt = 0;
    let lastContact = this.#now();
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      client.cancel(id).catch(() => undefined);
    };
    signal?.addEventListener("abort", cancel, { once: true });
    // Pushed events say when to look again; without them (no socket, or it dropped), long polling.
    const events = client.events(id);
    try {
      await events.ready;
      for (let poll = 0; ; poll++) {
        let run: RunModel | undefined = poll === 0 ? known : undefined;
        const asked = this.#now();
        try {
          if (!run && events.live) {
            await events.wait(cancelled ? 100 : 500);
            // A run that succeeded needs no second read: every task did.
            const end = events.ended;
            if (end?.state === "succeeded" && known && !cancelled) run = succeededRun(known, end.total);
          }
          // The server answers when the run ends, or after half a second: progress twice a second, the end at once.
          run ??= await client.get(id, { waitMs: events.live ? 0 : cancelled ? 100 : 500 });
          lastContact = this.#now();
        } catch (e: unknown) {
          if (e instanceof RunsApiError && e.status === 404) throw new Error(`run ${id} does not exist on ${client.apiUrl}`, { cause: e });
          if (this.#now() - lastContact > timeout) {
            throw new Error(
              `lost contact with the Lightbook server at ${client.apiUrl} for ${Math.round(timeout / 1000)} s (${e instanceof Error ? e.message : String(e)}); ` +
                `run ${id} goes on on the agents: workflow.follow('${id}') picks it up again`,
              { cause: e },
            );
          }
        }
        if (run) {
          samples.push({ at: this.#now(), ended: run.counts.succeeded + run.counts.failed + run.counts.cancelled });
          if (samples.length > 200) samples.splice(0, 100);
          const end = TERMINAL.has(run.state);
          if (opts.progress !== false && (end || this.#now() - lastShownAt >= 250)) {
            const bundle = progressBundle(label, run, rate(samples), this.#now() - started);
            if (shown) this.deps.display.update(bundle, displayId);
            else this.deps.display.show(bundle, displayId);
            shown = true;
            lastShownAt = this.#now();
          }
          if (end) {
            if (cancelled || run.state === "cancelled")
              throw new WorkflowCancelledError(`run ${id} was cancelled (${run.counts.succeeded} of ${run.counts.total} tasks had succeeded)`);
            if (run.state === "failed") throw new WorkflowError(`run ${id} failed: ${run.error ?? "see its tasks"}`, run);
            return run;
          }
        }
        if (cancelled) {
          // Keep polling briefly so the display shows the cancellation; the cell is already interrupted.
          if (poll > 20) throw new WorkflowCancelledError(`run ${id} was cancelled`);
        }
        // A server that did not wait (or an error) is asked again after a pause, never in a tight loop.
        const took = this.#now() - asked;
        if (run === undefined) await sleep(500, undefined);
        else if (took < 20 && !(poll === 0 && known) && !events.live) await sleep(20 - took, undefined);
      }
    } finally {
      signal?.removeEventListener("abort", cancel);
      events.close();
    }
  }

  /** A step's item results in input order. */
  async #results(run: RunModel, step: string): Promise<unknown[]> {
    const client = await this.deps.client();
    const [results, { itemsOf }] = await Promise.all([client.results(run.id, step), import("../../contracts/result-array.ts")]);
    return results.flatMap(itemsOf);
  }

  async agents(): Promise<AgentModel[]> {
    return (await this.deps.client()).agents();
  }
}
