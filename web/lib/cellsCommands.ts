// What the command-mode keys on selected cells do to the notebook (issue #16): delete, cut, copy,
// paste, extend the selection, select all, merge.

import type { Dispatch } from "react";
import { CellClipboard } from "./cellClipboard";
import type { CellsCommand } from "./commandKeys";
import { newCellId, selectedCells, selectionHead, type NotebookAction, type NotebookState } from "./notebookModel";

/** The browser's shared clipboard of cells (see cellClipboard.ts). */
export const cellClipboard = new CellClipboard(() => (typeof localStorage === "undefined" ? undefined : localStorage));

export function runCellsCommand(command: CellsCommand, state: NotebookState, dispatch: Dispatch<NotebookAction>, clipboard = cellClipboard): void {
  const selected = selectedCells(state);
  switch (command) {
    case "delete":
      return dispatch({ type: "delete", ids: selected.map((c) => c.id), blankCellId: newCellId() });
    case "cut":
      clipboard.write(selected);
      // Cut cells also go where D D puts them, so Z brings them back.
      return dispatch({ type: "delete", ids: selected.map((c) => c.id), blankCellId: newCellId() });
    case "copy":
      return clipboard.write(selected);
    case "paste-below":
    case "paste-above": {
      const cells = clipboard.read(newCellId);
      if (cells.length > 0) dispatch({ type: "paste", cells, above: command === "paste-above" });
      return;
    }
    case "extend-above":
    case "extend-below": {
      const head = state.cells.findIndex((c) => c.id === selectionHead(state));
      const to = head < 0 ? undefined : state.cells[head + (command === "extend-above" ? -1 : 1)];
      if (to) dispatch({ type: "extend-selection", to: to.id });
      return;
    }
    case "select-all":
      return dispatch({ type: "select-all" });
    case "merge":
      return dispatch({ type: "merge", newId: newCellId() });
  }
}
