// Cells cut or copied in command mode (X / C), pasted by V / Shift-V into this notebook or another.
// Kept in localStorage, so every tab of the browser shares them, as JupyterLab's application clipboard
// holding nbformat cells under `application/vnd.jupyter.cells`; in memory where storage refuses them.

import { InvalidNotebookError, readNotebook } from "../../contracts/notebook";
import { fromNbCell, toNbCell, type Cell } from "./notebookModel";

/** JupyterLab's MIME type for copied cells: a JSON list of nbformat v4 cells. */
export const JUPYTER_CELLS_MIME = "application/vnd.jupyter.cells";

const STORAGE_KEY = `lightbook:${JUPYTER_CELLS_MIME}`;

type CellStorage = Pick<Storage, "getItem" | "setItem">;

export class CellClipboard {
  /** What was copied when storage would not take it (full, or disabled), for this page only. */
  private fallback: string | null = null;

  /** `storage` is looked up at each use: pages are rendered on the server first, where there is none. */
  constructor(private readonly storage: () => CellStorage | undefined) {}

  write(cells: Cell[]): void {
    const text = JSON.stringify(cells.map(toNbCell));
    try {
      this.storage()?.setItem(STORAGE_KEY, text);
      this.fallback = null;
    } catch {
      // QuotaExceededError: big outputs. The copy still works within this page.
      this.fallback = text;
    }
  }

  /**
   * The copied cells, each with a new id so that pasting twice keeps ids unique; none if nothing
   * was copied or storage holds something that is not a list of nbformat cells (another program's key).
   */
  read(newId: () => string): Cell[] {
    const text = this.fallback ?? this.storage()?.getItem(STORAGE_KEY) ?? null;
    if (text === null) return [];
    try {
      const cells: unknown = JSON.parse(text);
      if (!Array.isArray(cells)) return [];
      const fresh = cells.map((c: unknown) => (typeof c === "object" && c !== null ? { ...c, id: newId() } : c));
      return readNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: fresh }, newId).cells.map(fromNbCell);
    } catch (e: unknown) {
      if (e instanceof SyntaxError || e instanceof InvalidNotebookError) return [];
      throw e;
    }
  }
}
