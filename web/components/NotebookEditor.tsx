'use client';

// The notebook page: loads the file, attaches a kernel session, and runs and saves cells.
// Document state lives in a pure reducer (lib/notebookModel.ts); this component owns the I/O.

import { useCallback, useEffect, useReducer, useRef, useState, type ReactNode } from 'react';
import { errorMessage, loadNotebook, openKernelSession, saveNotebook, type Execution, type KernelSession } from '../lib/jupyter';
import { isJsonObject } from '../lib/nbformat';
import { emptyCell, initialNotebookState, isDirty, newCellId, notebookReducer, toNotebook, type Cell as CellModel } from '../lib/notebookModel';
import { fileName } from '../lib/paths';
import Cell from './Cell';
import type { RunMode } from './CodeEditor';
import type { KernelDisplayStatus } from './KernelStatusBadge';
import NotebookToolbar from './NotebookToolbar';

function disposeExecution(executions: Map<string, Execution>, id: string): void {
  executions.get(id)?.dispose();
  executions.delete(id);
}

function disposeAllExecutions(executions: Map<string, Execution>): void {
  for (const execution of executions.values()) execution.dispose();
  executions.clear();
}

type LoadState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; message: string };

function kernelLabel(metadata: Record<string, unknown>): string {
  const spec = metadata.kernelspec;
  return isJsonObject(spec) && typeof spec.display_name === 'string' ? spec.display_name : 'TypeScript (Lightbook)';
}

interface NoticeProps {
  testId: string;
  message: string;
  onDismiss: () => void;
  children?: ReactNode;
}

function Notice({ testId, message, onDismiss, children }: NoticeProps) {
  return (
    <div className="notice" role="alert" data-testid={testId}>
      <span className="notice-message">{message}</span>
      {children}
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

export default function NotebookEditor({ path }: { path: string }) {
  const [state, dispatch] = useReducer(notebookReducer, initialNotebookState);
  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  const [kernel, setKernel] = useState<KernelSession | null>(null);
  const [kernelStatus, setKernelStatus] = useState<KernelDisplayStatus>('no kernel');
  const [kernelError, setKernelError] = useState<string | null>(null);
  const [kernelAttempt, setKernelAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  // Event handlers read the latest state through this ref, so they can stay stable for memoized cells.
  const latest = useRef({ state, kernel });
  useEffect(() => {
    latest.current = { state, kernel };
  });
  // The execution that currently owns each cell's outputs; a re-run or a restart replaces it.
  const executions = useRef(new Map<string, Execution>());

  useEffect(() => {
    let cancelled = false;
    setLoad({ kind: 'loading' });
    loadNotebook(path).then(
      ({ notebook }) => {
        if (cancelled) return;
        dispatch({ type: 'load', notebook, blankCellId: newCellId() });
        setLoad({ kind: 'ready' });
      },
      (e: unknown) => !cancelled && setLoad({ kind: 'failed', message: errorMessage(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [path]);

  const ready = load.kind === 'ready';
  useEffect(() => {
    if (!ready) return;
    let disposed = false;
    let session: KernelSession | null = null;
    let stopListening = (): void => {};
    setKernelStatus('starting');
    setKernelError(null);
    openKernelSession(path, fileName(path)).then(
      (opened) => {
        if (disposed) return opened.dispose();
        session = opened;
        setKernel(opened);
        setKernelStatus(opened.status());
        stopListening = opened.onStatusChange(setKernelStatus);
      },
      (e: unknown) => {
        if (disposed) return;
        setKernelStatus('no kernel');
        setKernelError(errorMessage(e));
      },
    );
    return () => {
      disposed = true;
      stopListening();
      disposeAllExecutions(executions.current);
      session?.dispose();
      setKernel(null);
    };
  }, [path, ready, kernelAttempt]);

  const execute = useCallback(async (cell: CellModel, source: string) => {
    if (cell.kind !== 'code') {
      if (cell.kind === 'markdown') dispatch({ type: 'set-editing', id: cell.id, editing: false });
      return;
    }
    const session = latest.current.kernel;
    if (!session) return;
    const id = cell.id;
    disposeExecution(executions.current, id);
    dispatch({ type: 'execute-start', id });
    const current = (): boolean => executions.current.get(id) === execution;
    const execution = session.execute(source, (event) => current() && dispatch({ type: 'execute-event', id, event }));
    executions.current.set(id, execution);
    try {
      const outcome = await execution.done;
      if (current()) dispatch({ type: 'execute-end', id, executionCount: outcome.executionCount });
    } catch (e: unknown) {
      if (!current()) return;
      dispatch({ type: 'execute-end', id, executionCount: null });
      setKernelError(errorMessage(e));
    }
  }, []);

  // Deleted cells (or cells turned into markdown) no longer listen to their last execution.
  const { cells } = state;
  useEffect(() => {
    for (const id of executions.current.keys()) {
      if (!cells.some((cell) => cell.id === id && cell.kind === 'code')) disposeExecution(executions.current, id);
    }
  }, [cells]);

  const runCell = useCallback(
    (id: string, source: string, mode: RunMode) => {
      const { cells } = latest.current.state;
      const index = cells.findIndex((c) => c.id === id);
      const cell = cells[index];
      if (!cell) return;
      void execute(cell, source);
      if (mode === 'in-place') {
        // A markdown cell just rendered has no editor left; keep the keyboard on the cell.
        if (cell.kind === 'markdown') dispatch({ type: 'select', id, focus: true });
        return;
      }
      // Like Jupyter: Shift-Enter on the last cell adds a new one to keep typing in.
      const next = cells[index + 1];
      if (next) dispatch({ type: 'select', id: next.id, focus: true });
      else dispatch({ type: 'insert', afterId: id, cell: emptyCell('code', newCellId()) });
    },
    [execute],
  );

  const runSelected = () => {
    const { selectedId, cells } = latest.current.state;
    const cell = cells.find((c) => c.id === selectedId);
    if (cell) runCell(cell.id, cell.source, 'in-place');
  };

  const runAll = () => {
    // Sent together: the kernel runs them in order and, with stop_on_error, aborts the rest after an error.
    for (const cell of latest.current.state.cells) void execute(cell, cell.source);
  };

  const interrupt = () => {
    kernel?.interrupt().catch((e: unknown) => setKernelError(errorMessage(e)));
  };

  const restart = () => {
    if (!kernel) return;
    disposeAllExecutions(executions.current);
    dispatch({ type: 'executions-cancelled' });
    setKernelError(null);
    kernel.restart().catch((e: unknown) => setKernelError(errorMessage(e)));
  };

  const save = useCallback(async () => {
    const snapshot = latest.current.state;
    setSaving(true);
    setSaveError(null);
    try {
      await saveNotebook(path, toNotebook(snapshot));
      dispatch({ type: 'saved', revision: snapshot.revision });
    } catch (e: unknown) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }, [path]);

  const addCell = () => {
    const { selectedId, cells } = latest.current.state;
    const afterId = selectedId ?? cells[cells.length - 1]?.id ?? null;
    dispatch({ type: 'insert', afterId, cell: emptyCell('code', newCellId()) });
  };

  // Ctrl/Cmd-S anywhere on the page saves the notebook instead of the browser's "Save page".
  useEffect(() => {
    if (!ready) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [ready, save]);

  const name = fileName(path);
  if (load.kind === 'loading') return <p className="page-message">Loading {name}…</p>;
  if (load.kind === 'failed') {
    return (
      <p className="page-message notice" role="alert" data-testid="load-error">
        {load.message}
      </p>
    );
  }

  const { selectedId, focus } = state;
  return (
    <div className="notebook">
      <NotebookToolbar
        name={name}
        saveState={saving ? 'saving' : isDirty(state) ? 'unsaved' : 'saved'}
        canRun={kernel !== null}
        onRun={runSelected}
        onRunAll={runAll}
        onInterrupt={interrupt}
        onRestart={restart}
        onSave={() => void save()}
        onAddCell={addCell}
        kernelStatus={kernelStatus}
        kernelLabel={kernelLabel(state.metadata)}
      />
      {saveError && <Notice testId="save-error" message={saveError} onDismiss={() => setSaveError(null)} />}
      {kernelError && (
        <Notice testId="kernel-error" message={kernelError} onDismiss={() => setKernelError(null)}>
          {kernel === null && (
            <button type="button" onClick={() => setKernelAttempt((n) => n + 1)}>
              Start kernel
            </button>
          )}
        </Notice>
      )}
      <div className="cells">
        {cells.map((cell, i) => (
          <Cell
            key={cell.id}
            cell={cell}
            number={i + 1}
            isFirst={i === 0}
            isLast={i === cells.length - 1}
            selected={cell.id === selectedId}
            focusNonce={focus?.cellId === cell.id ? focus.nonce : undefined}
            dispatch={dispatch}
            onRun={runCell}
          />
        ))}
      </div>
    </div>
  );
}
