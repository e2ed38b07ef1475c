// Jupyter's command-mode keys (https://jupyterlab.readthedocs.io/en/stable/user/notebook.html):
// which notebook command a key press on a selected cell means. Pure, so the mapping is unit-tested.

export type NotebookCommand =
  | "edit"
  | "run-advance"
  | "run-in-place"
  | "run-insert-below"
  | "insert-above"
  | "insert-below"
  | "undo-delete"
  | "to-code"
  | "to-markdown"
  | "to-raw"
  | "select-previous"
  | "select-next"
  | "toggle-output"
  | "toggle-line-numbers"
  | "toggle-all-line-numbers"
  | "restart"
  | "interrupt"
  | `heading-${HeadingLevel}`
  | "help"
  | CellsCommand;

/** Commands on the selected cells (several once Shift-J/K, Shift-click or Ctrl-A extended the selection). */
export type CellsCommand = "delete" | "cut" | "copy" | "paste-below" | "paste-above" | "extend-above" | "extend-below" | "select-all" | "merge";

const CELLS_COMMANDS: ReadonlySet<string> = new Set<CellsCommand>([
  "delete",
  "cut",
  "copy",
  "paste-below",
  "paste-above",
  "extend-above",
  "extend-below",
  "select-all",
  "merge",
]);

export function isCellsCommand(command: NotebookCommand): command is CellsCommand {
  return CELLS_COMMANDS.has(command);
}

export type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const PLAIN_KEYS: Record<string, NotebookCommand> = {
  Enter: "edit",
  a: "insert-above",
  b: "insert-below",
  z: "undo-delete",
  y: "to-code",
  m: "to-markdown",
  r: "to-raw",
  k: "select-previous",
  ArrowUp: "select-previous",
  j: "select-next",
  ArrowDown: "select-next",
  o: "toggle-output",
  l: "toggle-line-numbers",
  h: "help",
  x: "cut",
  c: "copy",
  v: "paste-below",
  "1": "heading-1",
  "2": "heading-2",
  "3": "heading-3",
  "4": "heading-4",
  "5": "heading-5",
  "6": "heading-6",
};

const SHIFTED_KEYS: Record<string, NotebookCommand> = {
  l: "toggle-all-line-numbers",
  v: "paste-above",
  m: "merge",
  k: "extend-above",
  ArrowUp: "extend-above",
  j: "extend-below",
  ArrowDown: "extend-below",
};

/** Keys that act only when pressed twice in a row, so one stray press does nothing. */
const DOUBLE_KEYS: Record<string, NotebookCommand> = { d: "delete", i: "interrupt", "0": "restart" };

/** Every key binding of the notebook page, for the help dialog (H) and the README. */
export const KEY_BINDINGS: { mode: "Command mode" | "Edit mode" | "Anywhere"; keys: string; does: string }[] = [
  { mode: "Command mode", keys: "Enter", does: "Edit the cell" },
  { mode: "Command mode", keys: "A / B", does: "Insert a cell above / below" },
  { mode: "Command mode", keys: "D D", does: "Delete the selected cells" },
  { mode: "Command mode", keys: "Z", does: "Undo the last delete" },
  { mode: "Command mode", keys: "X / C", does: "Cut / copy the selected cells (into any notebook of this browser)" },
  { mode: "Command mode", keys: "V / Shift-V", does: "Paste cells below / above" },
  { mode: "Command mode", keys: "Shift-J / Shift-K or Shift-↓ / Shift-↑", does: "Extend the selection down / up" },
  { mode: "Command mode", keys: "Shift-click", does: "Extend the selection to the clicked cell" },
  { mode: "Command mode", keys: "Ctrl-A", does: "Select all cells" },
  { mode: "Command mode", keys: "Shift-M", does: "Merge the selected cells (or the cell with the next)" },
  { mode: "Command mode", keys: "M / Y / R", does: "Make the cell markdown / code / raw" },
  { mode: "Command mode", keys: "1 … 6", does: "Make the cell a markdown heading of that level" },
  { mode: "Command mode", keys: "J / K or ↓ / ↑", does: "Select the next / previous cell" },
  { mode: "Command mode", keys: "O", does: "Show or hide the cell's output" },
  { mode: "Command mode", keys: "L / Shift-L", does: "Line numbers in the cell / in all cells" },
  { mode: "Command mode", keys: "I I", does: "Interrupt the kernel" },
  { mode: "Command mode", keys: "0 0", does: "Restart the kernel (asks first)" },
  { mode: "Command mode", keys: "H", does: "This list" },
  { mode: "Edit mode", keys: "Esc", does: "Command mode" },
  { mode: "Edit mode", keys: "Tab / Shift-Tab", does: "Complete / show help from the kernel (code cells)" },
  { mode: "Edit mode", keys: "↑ / ↓ at the first / last line", does: "Go to the previous / next cell" },
  { mode: "Edit mode", keys: "Ctrl-Shift-Minus", does: "Split the cell at the cursor (or around the selected text)" },
  { mode: "Edit mode", keys: "Ctrl-D", does: "Select the next occurrence of the selection (one more cursor)" },
  { mode: "Edit mode", keys: "Ctrl-click / Alt-click", does: "Add a cursor; Alt-drag selects a column" },
  { mode: "Anywhere", keys: "Shift-Enter", does: "Run the cell and select the next" },
  { mode: "Anywhere", keys: "Ctrl-Enter", does: "Run the cell in place" },
  { mode: "Anywhere", keys: "Alt-Enter", does: "Run the cell and insert one below" },
  { mode: "Anywhere", keys: "Ctrl-S", does: "Save" },
  { mode: "Anywhere", keys: "Ctrl-F / Ctrl-H", does: "Find / find and replace in every cell (Enter: next match)" },
];

/**
 * Reads command-mode key presses one at a time; remembers a first "D" (or "I", "0") so that "D, D" deletes.
 * Returns null for keys that are not notebook commands (they keep their default behaviour).
 */
export class CommandKeys {
  private pendingKey: string | null = null;

  command(press: KeyPress): NotebookCommand | null {
    const wasPending = this.pendingKey;
    this.pendingKey = null;
    const { key, shiftKey, ctrlKey, metaKey, altKey } = press;
    if (key === "Enter") {
      if (shiftKey && !ctrlKey && !metaKey && !altKey) return "run-advance";
      if ((ctrlKey || metaKey) && !shiftKey && !altKey) return "run-in-place";
      if (altKey && !shiftKey && !ctrlKey && !metaKey) return "run-insert-below";
    }
    const plain = key.length === 1 ? key.toLowerCase() : key;
    if ((ctrlKey || metaKey) && !shiftKey && !altKey && plain === "a") return "select-all";
    if (ctrlKey || metaKey || altKey) return null;
    if (shiftKey) return SHIFTED_KEYS[plain] ?? null;
    const double = DOUBLE_KEYS[plain];
    if (double) {
      this.pendingKey = wasPending === plain ? null : plain;
      return wasPending === plain ? double : null;
    }
    return PLAIN_KEYS[plain] ?? null;
  }

  /** True while a first "D", "I" or "0" waits for its second. */
  pending(): boolean {
    return this.pendingKey !== null;
  }
}
