// Jupyter's command-mode keys (https://jupyterlab.readthedocs.io/en/stable/user/notebook.html):
// which notebook command a key press on a selected cell means. Pure, so the mapping is unit-tested.

export type NotebookCommand =
  | 'edit'
  | 'run-advance'
  | 'run-in-place'
  | 'run-insert-below'
  | 'insert-above'
  | 'insert-below'
  | 'delete'
  | 'undo-delete'
  | 'to-code'
  | 'to-markdown'
  | 'to-raw'
  | 'select-previous'
  | 'select-next';

export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

const PLAIN_KEYS: Record<string, NotebookCommand> = {
  Enter: 'edit',
  a: 'insert-above',
  b: 'insert-below',
  z: 'undo-delete',
  y: 'to-code',
  m: 'to-markdown',
  r: 'to-raw',
  k: 'select-previous',
  ArrowUp: 'select-previous',
  j: 'select-next',
  ArrowDown: 'select-next',
};

/**
 * Reads command-mode key presses one at a time; remembers a first "D" so that "D, D" deletes.
 * Returns null for keys that are not notebook commands (they keep their default behaviour).
 */
export class CommandKeys {
  private pendingD = false;

  command(press: KeyPress): NotebookCommand | null {
    const wasPendingD = this.pendingD;
    this.pendingD = false;
    const { key, shiftKey, ctrlKey, metaKey, altKey } = press;
    if (key === 'Enter') {
      if (shiftKey && !ctrlKey && !metaKey && !altKey) return 'run-advance';
      if ((ctrlKey || metaKey) && !shiftKey && !altKey) return 'run-in-place';
      if (altKey && !shiftKey && !ctrlKey && !metaKey) return 'run-insert-below';
    }
    if (shiftKey || ctrlKey || metaKey || altKey) return null;
    const plain = key.length === 1 ? key.toLowerCase() : key;
    if (plain === 'd') {
      this.pendingD = !wasPendingD;
      return wasPendingD ? 'delete' : null;
    }
    return PLAIN_KEYS[plain] ?? null;
  }

  /** True while a first "D" waits for its second. */
  pending(): boolean {
    return this.pendingD;
  }
}
