/**
 * Named algorithms that agents run on each item of a task (a frame, a file, an index, a JSON
 * value, or for a `results` step the ordered results of an earlier step). Add one here and it
 * can be named in a recipe step or in `workflow.map(input, "name", params)`.
 */
import { parseParams, type AlgorithmName, type AlgorithmParams } from "../contracts/algorithms.ts";
import type { Frame } from "./h5-frames.ts";

export interface AlgorithmContext {
  /** Aborted when the run is cancelled, the agent is stopping forcefully, or it was found lost. */
  signal: AbortSignal;
  /** The agent's data root (files in recipes are relative to it). */
  dataRoot: string;
}

export type Algorithm = (item: unknown, params: Record<string, unknown>, ctx: AlgorithmContext) => unknown;

export class UnknownAlgorithmError extends Error {
  override name = "UnknownAlgorithmError";
}

function isFrame(x: unknown): x is Frame {
  return typeof x === "object" && x !== null && "data" in x && "index" in x;
}

/** Waits `ms`, or rejects when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Element-wise sum of numbers or equally long number arrays (a reduce). */
function sumAll(values: unknown[]): number | number[] {
  let acc: number | number[] = 0;
  for (const v of values.flat(Infinity as 1)) {
    if (typeof v === "number") {
      if (typeof acc !== "number") throw new TypeError("cannot add a number to an array");
      acc += v;
    } else if (v === null) {
      continue;
    } else {
      throw new TypeError(`sum: not a number: ${JSON.stringify(v)}`);
    }
  }
  return acc;
}

/** An algorithm as written: its parameters already parsed by its contract (contracts/algorithms.ts). */
export type AlgorithmImpl<N extends AlgorithmName> = (item: unknown, params: AlgorithmParams<N>, ctx: AlgorithmContext) => unknown;

/**
 * The algorithm with its parameters parsed first, once per parameters object: a task calls it
 * once per item with its step's params (the same object for every item and task of a run).
 */
function withParams<N extends AlgorithmName>(name: N, impl: AlgorithmImpl<N>): Algorithm {
  const parsed = new WeakMap<object, AlgorithmParams<N>>();
  return (item, params, ctx) => {
    let p = parsed.get(params);
    if (!p) {
      p = parseParams(name, params);
      parsed.set(params, p);
    }
    return impl(item, p, ctx);
  };
}

const registry = new Map<string, Algorithm>();

/** Adds or replaces a named algorithm of the contract (e.g. from the analysis library). */
export function registerAlgorithm<N extends AlgorithmName>(name: N, fn: AlgorithmImpl<N>): void {
  registry.set(name, withParams(name, fn));
}

/** Does nothing: measures the scheduling overhead. */
registerAlgorithm("noop", () => null);
/** Waits params.ms (default 100) milliseconds, then returns the item: a stand-in for work of known length. */
registerAlgorithm("sleep", async (item, params, ctx) => {
  await sleep(params.ms, ctx.signal);
  return item ?? null;
});
/** The sum of one frame's pixels. */
registerAlgorithm("frame-sum", (item) => {
  if (!isFrame(item)) throw new TypeError('frame-sum works on frames (input kind "frames")');
  let s = 0;
  const d = item.data;
  for (let i = 0; i < d.length; i++) s += d[i]!;
  return s;
});
/** The sum of an earlier step's results (input kind "results"), or of numbers. */
registerAlgorithm("sum", (item) => (Array.isArray(item) ? sumAll(item) : item));

export function algorithm(name: string): Algorithm {
  const fn = registry.get(name);
  if (!fn) throw new UnknownAlgorithmError(`unknown algorithm ${JSON.stringify(name)}; this agent knows: ${algorithmNames().join(", ")}`);
  return fn;
}

export function algorithmNames(): string[] {
  return [...registry.keys()].sort();
}
