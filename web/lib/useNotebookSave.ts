'use client';

// Saving the open notebook: Ctrl-S and autosave, both refusing to overwrite a version someone
// else saved meanwhile (compared by the contents API's last_modified, as JupyterLab does). Then
// the user chooses: keep theirs (reload) or overwrite with ours. Never a silent overwrite.

import { useCallback, useEffect, useRef, useState, type Dispatch } from 'react';
import { errorMessage, loadNotebook, notebookLastModified, saveNotebook } from './jupyter';
import { isDirty, newCellId, toNotebook, type NotebookAction, type NotebookState } from './notebookModel';

/** Autosave after edits pause this long… */
const AUTOSAVE_QUIET_MS = 4000;
/** …or at the latest this long after the first unsaved change (a cell streaming output never pauses). */
const AUTOSAVE_MAX_WAIT_MS = 30_000;

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'conflict';

export interface SaveConflict {
  /** last_modified of the version on the server. */
  theirs: string;
}

export interface NotebookSaving {
  saveState: SaveState;
  error: string | null;
  dismissError(): void;
  conflict: SaveConflict | null;
  save(): Promise<void>;
  /** The user's answer to a conflict. */
  overwrite(): Promise<void>;
  reload(): Promise<void>;
  /** Call with the loaded file's last_modified: the version our edits start from. */
  loaded(lastModified: string): void;
}

export function useNotebookSave(path: string, state: NotebookState, dispatch: Dispatch<NotebookAction>): NotebookSaving {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const baseline = useRef<string | null>(null);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });

  const write = useCallback(
    async (checkFirst: boolean) => {
      const snapshot = latest.current;
      setSaving(true);
      setError(null);
      try {
        if (checkFirst) {
          const theirs = await notebookLastModified(path);
          if (baseline.current !== null && theirs !== baseline.current) {
            setConflict({ theirs });
            return;
          }
        }
        const saved = await saveNotebook(path, toNotebook(snapshot));
        baseline.current = saved.lastModified;
        setConflict(null);
        dispatch({ type: 'saved', revision: snapshot.revision });
      } catch (e: unknown) {
        setError(errorMessage(e));
      } finally {
        setSaving(false);
      }
    },
    [path, dispatch],
  );

  const save = useCallback(() => write(true), [write]);
  const overwrite = useCallback(() => write(false), [write]);

  const reload = useCallback(async () => {
    try {
      const { notebook, lastModified } = await loadNotebook(path);
      baseline.current = lastModified;
      setConflict(null);
      dispatch({ type: 'load', notebook, blankCellId: newCellId() });
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  }, [path, dispatch]);

  const loaded = useCallback((lastModified: string) => {
    baseline.current = lastModified;
  }, []);

  // Autosave: debounced on edits, with a cap; paused while a conflict waits for the user.
  const dirty = isDirty(state);
  const dirtySince = useRef<number | null>(null);
  useEffect(() => {
    if (!dirty) {
      dirtySince.current = null;
      return;
    }
    if (saving || conflict || error) return;
    dirtySince.current ??= Date.now();
    const wait = Math.min(AUTOSAVE_QUIET_MS, Math.max(0, dirtySince.current + AUTOSAVE_MAX_WAIT_MS - Date.now()));
    const timer = setTimeout(() => void save(), wait);
    return () => clearTimeout(timer);
  }, [dirty, state.revision, saving, conflict, error, save]);

  const saveState: SaveState = conflict ? 'conflict' : saving ? 'saving' : dirty ? 'unsaved' : 'saved';
  return { saveState, error, dismissError: () => setError(null), conflict, save, overwrite, reload, loaded };
}
