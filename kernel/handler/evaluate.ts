/**
 * Runs a transformed cell in the kernel's own realm (`vm.runInThisContext`, not a separate
 * context: objects crossing realms break `instanceof Array`, `instanceof Error` and friends).
 */
import vm from "node:vm";
import { importFromCwd } from "./import-from-cwd.ts";
import type { CellSources } from "./traceback.ts";
import { CELL_IMPORTS, CellSyntaxError, transformCell, type CellArguments, type TransformedCell } from "./transform.ts";

/** Named as Jupyter frontends and Python users know it. */
export class KeyboardInterrupt extends Error {
  override name = "KeyboardInterrupt";

  constructor() {
    super("Execution interrupted");
  }
}

/** The value of the cell's last expression statement; absent when the cell does not end in one. */
export interface Completion {
  value: unknown;
}

function isCompletion(x: unknown): x is Completion {
  return typeof x === "object" && x !== null && "value" in x;
}

function isSigintInterruption(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

/**
 * Loads the cell's imports, then runs it. SIGINT stops the synchronous part of the cell
 * (everything before its first `await`) with a KeyboardInterrupt; `signal`, once aborted, stops it
 * from starting, or where it resumes from an await. Records the cell's source under `filename` for tracebacks.
 */
export async function evaluateCell(code: string, filename: string, sources: CellSources, signal: AbortSignal): Promise<Completion | undefined> {
  let cell: TransformedCell;
  try {
    cell = transformCell(code);
  } catch (e: unknown) {
    if (e instanceof CellSyntaxError) sources.add(filename, code);
    throw e;
  }
  sources.add(filename, code, cell.cellPosition);
  const modules: unknown[] = [];
  // One after another, in statement order, as an ES module evaluates its imports.
  for (const specifier of cell.imports) modules.push(await importFromCwd(specifier));
  signal.throwIfAborted();
  let running: unknown;
  const resumed = <T>(value: T): T => {
    signal.throwIfAborted();
    return value;
  };
  Reflect.set(globalThis, CELL_IMPORTS, [modules, resumed] satisfies CellArguments);
  try {
    running = vm.runInThisContext(cell.script, { filename, breakOnSigint: true });
  } catch (e: unknown) {
    throw isSigintInterruption(e) ? new KeyboardInterrupt() : e;
  } finally {
    Reflect.deleteProperty(globalThis, CELL_IMPORTS);
  }
  const completion = await running;
  return isCompletion(completion) ? completion : undefined;
}
