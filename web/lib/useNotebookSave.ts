"use client";

// Saving the open notebook: Ctrl-S and autosave. Each save names the revision our edits start
// from (If-Match); the server merges it with what others saved meanwhile, by cell id, or refuses
// it (409) when both changed the same field of a cell. Then the user chooses: keep theirs (reload)
// or overwrite with ours. Never a silent overwrite.
// Leaving the page (closing it, reloading, a link) writes pending edits at once, and the browser
// asks before leaving when they cannot be written (a conflict, a failed or unfinished save).

import { useCallback, useEffect, useRef, useState, type Dispatch } from "react";
import { mergeNotebooks, sameButOutputs } from "../../contracts/notebook-merge";
import type { SaveConflictBody } from "../../contracts/revisions";
import { errorMessage, leaveSaveBody, loadNotebook, saveNotebook, saveNotebookOnLeave, SaveConflictError } from "./jupyter";
import type { NbNotebook } from "../../contracts/notebook";
import { clearStoredOutputs } from "./storedOutputs";
import { isDirty, newCellId, toNotebook, type NotebookAction, type NotebookState } from "./notebookModel";

/** Autosave after edits pause this long… */
const AUTOSAVE_QUIET_MS = 4000;
/** …or at the latest this long after the first unsaved change (a cell streaming output never pauses). */
const AUTOSAVE_MAX_WAIT_MS = 30_000;

export type SaveState = "saved" | "unsaved" | "saving" | "conflict";

/** The server's answer to a save that collided with the head (contracts/revisions.ts). */
export type SaveConflict = SaveConflictBody;

export interface NotebookSaving {
  saveState: SaveState;
  error: string | null;
  dismissError(): void;
  conflict: SaveConflict | null;
  save(): Promise<void>;
  /** The user's answer to a conflict. */
  overwrite(): Promise<void>;
  reload(): Promise<void>;
  /** Call with the loaded notebook's revision: the one our edits start from. */
  loaded(revision: string | null): void;
  /**
   * Clears the stored outputs of one cell (or all, `null`) on the server, in turn with the saves:
   * a save asked for after it is "Saved" only once the clear is stored too.
   */
  clearStored(cellId: string | null): Promise<void>;
}

export function useNotebookSave(path: string, state: NotebookState, dispatch: Dispatch<NotebookAction>): NotebookSaving {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const conflictRef = useRef(conflict);
  useEffect(() => {
    conflictRef.current = conflict;
  });
  const baseline = useRef<string | null>(null);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });

  /**
   * The server stored our save merged with others' changes: the editor shows them. Edits made
   * while the save was on its way are merged on top and stay unsaved.
   */
  const showMerged = useCallback(
    (merged: NbNotebook, sent: NbNotebook, sentRevision: number) => {
      const current = latest.current;
      const typedSince = current.revision !== sentRevision;
      const notebook = typedSince ? mergeNotebooks(sent, toNotebook(current), merged).merged : merged;
      dispatch({ type: "load", notebook, blankCellId: newCellId(), unsaved: typedSince });
    },
    [dispatch],
  );

  // One save at a time: each is based on the revision the one before it stored. Two at once (an
  // autosave still on its way when the tab is hidden) named the same base, and the second was
  // refused as a conflict with the page's own first.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const serialized = useCallback(<T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.current.then(job, job);
    queue.current = next.catch(() => undefined);
    return next;
  }, []);

  const write = useCallback(
    (checkFirst: boolean) =>
      serialized(async () => {
        const snapshot = latest.current;
        setSaving(true);
        setError(null);
        try {
          // Overwriting is a save based on the head that refused us: ours replaces it whole.
          const base = checkFirst ? baseline.current : (conflictRef.current?.head.id ?? conflictRef.current?.head.hash ?? baseline.current);
          const sent = toNotebook(snapshot);
          const saved = await saveNotebook(path, sent, base);
          baseline.current = saved.revision;
          setConflict(null);
          if (saved.merged && !sameButOutputs(saved.merged, sent)) showMerged(saved.merged, sent, snapshot.revision);
          else dispatch({ type: "saved", revision: snapshot.revision });
        } catch (e: unknown) {
          if (e instanceof SaveConflictError) setConflict(e.body);
          else setError(errorMessage(e));
        } finally {
          setSaving(false);
        }
      }),
    [path, dispatch, showMerged, serialized],
  );

  const save = useCallback(() => write(true), [write]);
  const overwrite = useCallback(() => write(false), [write]);

  const reload = useCallback(async () => {
    try {
      const { notebook, revision } = await loadNotebook(path);
      baseline.current = revision;
      setConflict(null);
      dispatch({ type: "load", notebook, blankCellId: newCellId() });
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  }, [path, dispatch]);

  const loaded = useCallback((revision: string | null) => {
    baseline.current = revision;
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

  // Leaving: handlers read the latest values through this ref, as the page may go at any moment.
  const now = useRef({ dirty, saving, conflict, error });
  useEffect(() => {
    now.current = { dirty, saving, conflict, error };
  });
  useEffect(() => {
    const flush = () => {
      const snapshot = latest.current;
      if (!now.current.dirty || now.current.conflict) return;
      setSaving(true);
      const sent = toNotebook(snapshot);
      void serialized(() => saveNotebookOnLeave(path, sent, baseline.current))
        .then(
          (saved) => {
            baseline.current = saved.revision;
            // A page only hidden comes back: it shows what the merge brought.
            if (saved.merged && !sameButOutputs(saved.merged, sent)) showMerged(saved.merged, sent, snapshot.revision);
            else dispatch({ type: "saved", revision: snapshot.revision });
          },
          (e: unknown) => setError(errorMessage(e)),
        )
        .finally(() => setSaving(false));
    };
    // Edits that the leave flush cannot write: a save that is unfinished, failed or in conflict, or a body too big to outlive the page.
    const unsafe = () => {
      const { dirty, saving, conflict, error } = now.current;
      return dirty && (saving || conflict !== null || error !== null || !leaveSaveBody(toNotebook(latest.current)).keepalive);
    };
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!unsafe()) return;
      event.preventDefault();
    };
    // Hidden may be the last event a closed tab gets (mobile browsers).
    const onVisibility = () => document.visibilityState === "hidden" && flush();
    // In-app links unmount the page without beforeunload: ask here instead.
    const onClick = (event: MouseEvent) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!link || !unsafe()) return;
      if (window.confirm("This notebook has changes that are not saved. Leave anyway?")) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibility);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibility);
      document.removeEventListener("click", onClick, true);
      flush();
    };
  }, [path, dispatch, showMerged, serialized]);

  const clearStored = useCallback((cellId: string | null) => serialized(() => clearStoredOutputs(path, cellId)), [path, serialized]);

  const saveState: SaveState = conflict ? "conflict" : saving ? "saving" : dirty ? "unsaved" : "saved";
  return { saveState, error, dismissError: () => setError(null), conflict, save, overwrite, reload, loaded, clearStored };
}
