/**
 * Runs one task on an agent: turns the task's input into items (frames are read from HDF5 here),
 * applies the step's algorithm or shipped function to each in order, and returns their results.
 */
import path from 'node:path';
import type { Step, TaskInput } from '../../server/runs/model.ts';
import { algorithm, type Algorithm, type AlgorithmContext } from './algorithms.ts';
import { FrameReader } from './h5-frames.ts';
import { compileSourceFunction } from './source-function.ts';

export interface ExecuteContext {
  signal: AbortSignal;
  dataRoot: string;
  /** The ordered item results of an earlier step of the same run (for `results` inputs). */
  stepResults(step: string): Promise<unknown[]>;
  log(line: string): void;
}

/** Compiled shipped functions, by their source (a run's tasks share one). */
const compiled = new Map<string, Algorithm>();

export function stepFunction(step: Pick<Step, 'algorithm' | 'source'>, log: (line: string) => void): Algorithm {
  if (step.algorithm !== undefined) return algorithm(step.algorithm);
  const source = step.source!;
  let fn = compiled.get(source);
  if (!fn) {
    fn = compileSourceFunction(source, log);
    if (compiled.size > 100) compiled.clear();
    compiled.set(source, fn);
  }
  return fn;
}

export async function executeTask(step: Pick<Step, 'algorithm' | 'source' | 'params'>, input: TaskInput, ctx: ExecuteContext): Promise<unknown[]> {
  const fn = stepFunction(step, ctx.log);
  const actx: AlgorithmContext = { signal: ctx.signal, dataRoot: ctx.dataRoot };
  const results: unknown[] = [];
  const apply = async (item: unknown) => {
    ctx.signal.throwIfAborted();
    results.push(await fn(item, step.params, actx));
  };
  switch (input.kind) {
    case 'frames': {
      const reader = new FrameReader(ctx.dataRoot);
      try {
        for (let i = input.start; i < input.stop; i++) await apply(await reader.read(input.file, input.dataset, i));
      } finally {
        reader.close();
      }
      break;
    }
    case 'files':
      for (const f of input.files) await apply({ path: path.resolve(ctx.dataRoot, f), name: f });
      break;
    case 'range':
      for (let i = input.start; i < input.stop; i++) await apply(i);
      break;
    case 'items':
      for (const item of input.items) await apply(item);
      break;
    case 'results':
      await apply(await ctx.stepResults(input.step));
      break;
  }
  return results;
}
