"use client";

import type { MergeConflict } from "../../contracts/notebook-merge";
import type { NotebookSaving } from "../lib/useNotebookSave";

const WHAT: Record<MergeConflict["what"][number], string> = {
  source: "its source",
  outputs: "its outputs",
  metadata: "its metadata",
  deleted: "deleted on one side",
  added: "added on both sides",
  order: "the order of cells",
  notebook: "the notebook's metadata",
};

/** "cell 3 (its source)", numbered as the page shows cells; a cell only the other side has, by its id. */
function describe(conflict: MergeConflict, cellIds: readonly string[]): string {
  const what = conflict.what.map((w) => WHAT[w]).join(", ");
  if (conflict.cell_id === null) return what;
  const index = cellIds.indexOf(conflict.cell_id);
  return `${index < 0 ? `cell ${conflict.cell_id}` : `cell ${index + 1}`} (${what})`;
}

/** The server refused our save (409): what both sides changed, and the choice between their version and ours. */
export default function SaveConflictNotice({ saving, cellIds }: { saving: NotebookSaving; cellIds: readonly string[] }) {
  const { conflict } = saving;
  if (!conflict) return null;
  return (
    <div className="notice conflict" role="alertdialog" aria-label="Save conflict" data-testid="save-conflict">
      <span className="notice-message">
        {`This notebook was changed elsewhere since you opened it, where you changed it too: ${conflict.conflicts.map((c) => describe(c, cellIds)).join("; ")}. Your changes are not saved yet.`}
      </span>
      <button type="button" onClick={() => void saving.reload()}>
        Load their version (discard mine)
      </button>
      <button type="button" className="danger" onClick={() => void saving.overwrite()}>
        Overwrite with my version
      </button>
    </div>
  );
}
