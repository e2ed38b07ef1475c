/**
 * Named algorithms that agents run on each item of a task (a frame, a file, an index, a JSON
 * value, or for a `results` step the ordered results of an earlier step). Add one here and it
 * can be named in a recipe step or in `workflow.map(input, "name", params)`.
 */
import type { Frame } from './h5-frames.ts';

export interface AlgorithmContext {
  /** Aborted when the run is cancelled, the agent is stopping forcefully, or it was found lost. */
  signal: AbortSignal;
  /** The agent's data root (files in recipes are relative to it). */
  dataRoot: string;
}

export type Algorithm = (item: unknown, params: Record<string, unknown>, ctx: AlgorithmContext) => unknown;

export class UnknownAlgorithmError extends Error {
  override name = 'UnknownAlgorithmError';
}

function isFrame(x: unknown): x is Frame {
  return typeof x === 'object' && x !== null && 'data' in x && 'index' in x;
}

function numberParam(params: Record<string, unknown>, name: string, fallback: number): number {
  const v = params[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`parameter ${name} must be a number`);
  return v;
}

/** Waits `ms`, or rejects when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Element-wise sum of numbers or equally long number arrays (a reduce). */
function sumAll(values: unknown[]): number | number[] {
  let acc: number | number[] = 0;
  for (const v of values.flat(Infinity as 1)) {
    if (typeof v === 'number') {
      if (typeof acc !== 'number') throw new TypeError('cannot add a number to an array');
      acc += v;
    } else if (v === null) {
      continue;
    } else {
      throw new TypeError(`sum: not a number: ${JSON.stringify(v)}`);
    }
  }
  return acc;
}

const builtins: Record<string, Algorithm> = {
  /** Does nothing: measures the scheduling overhead. */
  noop: () => null,
  /** Waits params.ms (default 100) milliseconds, then returns the item: a stand-in for work of known length. */
  sleep: async (item, params, ctx) => {
    await sleep(numberParam(params, 'ms', 100), ctx.signal);
    return item ?? null;
  },
  /** The sum of one frame's pixels. */
  'frame-sum': (item) => {
    if (!isFrame(item)) throw new TypeError('frame-sum works on frames (input kind "frames")');
    let s = 0;
    const d = item.data;
    for (let i = 0; i < d.length; i++) s += d[i]!;
    return s;
  },
  /** The sum of an earlier step's results (input kind "results"), or of numbers. */
  sum: (item) => (Array.isArray(item) ? sumAll(item) : item),
};

const registry = new Map<string, Algorithm>(Object.entries(builtins));

/** Adds or replaces a named algorithm (e.g. from the analysis library). */
export function registerAlgorithm(name: string, fn: Algorithm): void {
  registry.set(name, fn);
}

export function algorithm(name: string): Algorithm {
  const fn = registry.get(name);
  if (!fn) throw new UnknownAlgorithmError(`unknown algorithm ${JSON.stringify(name)}; this agent knows: ${algorithmNames().join(', ')}`);
  return fn;
}

export function algorithmNames(): string[] {
  return [...registry.keys()].sort();
}
