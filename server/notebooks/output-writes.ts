import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { NbOutput } from "../../contracts/notebook.ts";
import type { CellOutputsSink } from "./cell-outputs.ts";

interface Pending {
  outputs: NbOutput[];
  executionCount: number | null;
  written: (() => void)[];
}

/**
 * The runner's writes, one notebook at a time and in order: what is asked for while a write of
 * the same notebook is in flight waits and then goes in one write, with only the latest outputs
 * of each cell (a chatty cell's progress writes coalesce). Each returned promise settles once that cell's outputs
 * as of the call, or later ones, are stored (or the write failed, which is logged).
 */
export class OutputWrites {
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly flushing = new Set<string>();

  constructor(
    private readonly sink: CellOutputsSink,
    private readonly log: Logger,
  ) {}

  put(path: string, cellId: string, outputs: NbOutput[], executionCount: number | null): Promise<void> {
    let cells = this.pending.get(path);
    if (!cells) this.pending.set(path, (cells = new Map()));
    const earlier = cells.get(cellId)?.written ?? [];
    const written = new Promise<void>((resolve) => cells.set(cellId, { outputs, executionCount, written: [...earlier, resolve] }));
    if (!this.flushing.has(path)) void this.flush(path);
    return written;
  }

  private async flush(path: string): Promise<void> {
    this.flushing.add(path);
    try {
      for (let cells = this.pending.get(path); cells; cells = this.pending.get(path)) {
        this.pending.delete(path);
        try {
          await this.sink(
            path,
            [...cells].map(([cellId, p]) => ({ cellId, outputs: p.outputs, executionCount: p.executionCount })),
          );
        } catch (e: unknown) {
          this.log.warn({ path, cells: [...cells.keys()], err: coerceError(e).message }, "could not store cells' outputs");
        }
        for (const p of cells.values()) for (const settle of p.written) settle();
      }
    } finally {
      this.flushing.delete(path);
    }
  }
}
