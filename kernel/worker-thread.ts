/**
 * Worker threads running the kernel's own TypeScript modules. `--import tsx` does not reach
 * worker threads (Node 20), so the worker registers tsx's loader itself before importing `module`.
 */
import { Worker } from 'node:worker_threads';

const TSX_API = import.meta.resolve('tsx/esm/api');

export function startTypeScriptWorker(module: URL, workerData: unknown = undefined): Worker {
  const source = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(source, { eval: true, workerData });
}
