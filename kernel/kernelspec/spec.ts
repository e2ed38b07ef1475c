/**
 * The kernelspec: how Jupyter (and our server) starts this kernel.
 * https://jupyter-client.readthedocs.io/en/latest/kernels.html#kernel-specs
 */
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { frameMallocEnv } from './frame-malloc.ts';

export const KERNEL_NAME = 'lightbook-ts';

/** The content of kernel.json. */
export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  /** 'message': interrupt_request on control, which stops synchronous loops (SIGINT works too). */
  interrupt_mode: 'signal' | 'message';
  /** Set in the kernel's environment by whoever starts it (Jupyter does, and our server). */
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** A kernelspec as Jupyter Server's REST API returns it (`GET /api/kernelspecs`). */
export interface KernelSpecModel {
  name: string;
  spec: KernelJson;
  /** Resource name → URL (logos, kernel.js); none yet. */
  resources: Record<string, string>;
}

const DEFAULT_MEMORY_MB = 4096;

function kernelMemoryMb(): number {
  const configured = Number(process.env.LIGHTBOOK_KERNEL_MEMORY_MB);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_MEMORY_MB;
}

/** Absolute paths, so the kernel starts from any working directory (Jupyter starts it in the notebook's). */
export function kernelJson(): KernelJson {
  return {
    argv: [
      process.execPath,
      // An interrupt may terminate JavaScript inside a timer callback (transport/control-worker.ts),
      // which leaves Node's async-context stack one callback deep; the check would abort the process.
      '--no-force-async-hooks-checks',
      // The kernel's memory limit: a cell that needs more ends the process (reported dead) rather
      // than the machine swapping. LIGHTBOOK_KERNEL_MEMORY_MB where the kernelspec is made.
      `--max-old-space-size=${kernelMemoryMb()}`,
      '--import',
      fileURLToPath(import.meta.resolve('tsx')),
      fileURLToPath(new URL('../main.ts', import.meta.url)),
      '-f',
      '{connection_file}',
    ],
    display_name: 'TypeScript (Lightbook)',
    language: 'typescript',
    interrupt_mode: 'message',
    env: frameMallocEnv(),
    metadata: {},
  };
}

export function kernelSpec(): KernelSpecModel {
  return { name: KERNEL_NAME, spec: kernelJson(), resources: {} };
}
