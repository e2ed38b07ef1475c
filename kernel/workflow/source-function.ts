/**
 * A self-contained function shipped as source (`(item, params, ctx) => result`), compiled once
 * per step in its own `node:vm` context: it sees the JavaScript built-ins and `console`, not the
 * agent's modules or variables. This is isolation from mistakes, not a security boundary: whoever
 * holds the token can already run code in kernels.
 */
import vm from 'node:vm';
import type { Algorithm } from './algorithms.ts';

export class SourceFunctionError extends Error {
  override name = 'SourceFunctionError';
}

/** Synchronous code that runs longer than this in one call is stopped. */
const SYNC_TIMEOUT_MS = 10 * 60_000;

export function compileSourceFunction(source: string, log: (line: string) => void): Algorithm {
  const context = vm.createContext({
    console: { log: (...a: unknown[]) => log(a.map(String).join(' ')), error: (...a: unknown[]) => log(a.map(String).join(' ')) },
    setTimeout,
    clearTimeout,
  });
  let fn: unknown;
  try {
    fn = new vm.Script(`(${source})`, { filename: 'workflow-function.js' }).runInContext(context, { timeout: 1000 });
  } catch (e: unknown) {
    throw new SourceFunctionError(`the function's source does not compile: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof fn !== 'function') throw new SourceFunctionError('the source is not a function expression');
  const call = new vm.Script('__fn(__item, __params, __ctx)', { filename: 'workflow-call.js' });
  return (item, params, ctx) => {
    Object.assign(context, { __fn: fn, __item: item, __params: params, __ctx: ctx });
    try {
      return call.runInContext(context, { timeout: SYNC_TIMEOUT_MS });
    } finally {
      Object.assign(context, { __item: undefined, __params: undefined, __ctx: undefined });
    }
  };
}
