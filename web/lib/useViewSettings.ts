// View settings of the notebook page that belong to this browser, not to the notebook (as
// JupyterLab's settings do): kept in localStorage.

import { useCallback, useEffect, useState } from "react";

/** The notebook column: "normal" reads well, "wide" and "full" use wide screens for wide outputs. */
export const NOTEBOOK_WIDTHS = ["normal", "wide", "full"] as const;
export type NotebookWidth = (typeof NOTEBOOK_WIDTHS)[number];

const WIDTH_KEY = "lightbook.notebookWidth";

function isNotebookWidth(value: unknown): value is NotebookWidth {
  return NOTEBOOK_WIDTHS.includes(value as NotebookWidth);
}

export function useNotebookWidth(): [NotebookWidth, (width: NotebookWidth) => void] {
  const [width, setWidth] = useState<NotebookWidth>("normal");
  // Read after mounting: the server render has no localStorage.
  useEffect(() => {
    const stored = window.localStorage.getItem(WIDTH_KEY);
    if (isNotebookWidth(stored)) setWidth(stored);
  }, []);
  const choose = useCallback((next: NotebookWidth) => {
    window.localStorage.setItem(WIDTH_KEY, next);
    setWidth(next);
  }, []);
  return [width, choose];
}

/** The tab's title names the notebook, with a dot while it has unsaved changes (as JupyterLab's tab). */
export function useDocumentTitle(name: string, dirty: boolean): void {
  useEffect(() => {
    const before = document.title;
    document.title = `${dirty ? "● " : ""}${name} · Lightbook`;
    return () => {
      document.title = before;
    };
  }, [name, dirty]);
}
