import type { Db } from "../db/client.ts";
import type { NbOutput } from "../../contracts/notebook.ts";
import { NotebookRevisions } from "./revisions.ts";

/** One cell's outputs and execution count, as the runner stores them. */
export interface CellOutputs {
  cellId: string;
  outputs: NbOutput[];
  executionCount: number | null;
}

/** Where the runner puts cells' outputs (writeCellOutputs, bound to the database). */
export type CellOutputsSink = (path: string, cells: CellOutputs[]) => Promise<void>;

/**
 * Replaces cells' outputs and execution counts in the stored notebook as one 'outputs' revision
 * (revisions.ts), with the notebook's row locked. Cells (or a notebook) that are gone are left
 * alone: nothing to write to. Several cells of one notebook go in one transaction: the runner
 * writes what ended while the previous write was in flight together, so writes keep up with a Run
 * all of short cells (one transaction per cell cost a Run all of 50 cells about as much again as
 * the cells themselves). A page's later save, based on the revision before, merges with it.
 */
export async function writeCellOutputs(db: Db, path: string, cells: CellOutputs[]): Promise<void> {
  await new NotebookRevisions(db).commitCellOutputs(path, cells);
}
