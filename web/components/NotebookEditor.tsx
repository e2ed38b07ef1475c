"use client";

// The notebook page: loads the file, attaches a kernel session, and runs and saves cells.
// Document state lives in a pure reducer (lib/notebookModel.ts); this component owns the I/O.

import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent as ReactKeyboardEvent,
  type ReactNode,
} from "react";
import { useRouter } from "next/navigation";
import { batcher } from "../lib/batch";
import { downloadFile } from "../lib/download";
import { notebookToHtml } from "../lib/exportHtml";
import { asHeading, isHidden, withHidden } from "../lib/cellView";
import { CommandKeys, isCellsCommand, type HeadingLevel, type NotebookCommand } from "../lib/commandKeys";
import { runCellsCommand } from "../lib/cellsCommands";
import { errorMessage, loadNotebook, openKernelSession, renameNotebook, type Execution, type KernelSession } from "../lib/jupyter";
import { isJsonObject } from "../../contracts/json";
import { LIGHTBOOK_KERNEL } from "../../contracts/kernelspec";
import { emptyCell, initialNotebookState, newCellId, notebookReducer, selectedCells, toNotebook, type Cell as CellModel } from "../lib/notebookModel";
import { useNotebookSave } from "../lib/useNotebookSave";
import { useOtherExecutions } from "../lib/useOtherExecutions";
import type { OutputEvent } from "../lib/outputs";
import { fileName, notebookHref } from "../lib/paths";
import { useDocumentTitle, useNotebookWidth } from "../lib/useViewSettings";
import Cell, { type CellDrag } from "./Cell";
import DataBrowser from "./DataBrowser";
import type { EditorExit, RunMode } from "./CodeEditor";
import KeyHelpDialog from "./KeyHelpDialog";
import NotebookSearch from "./NotebookSearch";
import type { KernelDisplayStatus } from "./KernelStatusBadge";
import RestartDialog from "./RestartDialog";
import RevisionsDialog from "./RevisionsDialog";
import SaveConflictNotice from "./SaveConflictNotice";
import NotebookToolbar, { type NotebookMode, type SidePanel as SidePanelKind } from "./NotebookToolbar";
import SidePanel from "./SidePanel";

function disposeExecution(executions: Map<string, Execution>, id: string): void {
  executions.get(id)?.dispose();
  executions.delete(id);
}

function disposeAllExecutions(executions: Map<string, Execution>): void {
  for (const execution of executions.values()) execution.dispose();
  executions.clear();
}

/** The cell whose container (not its editor) is the focus target of a keyboard event, if any. */
function commandModeCellId(target: EventTarget): string | undefined {
  return target instanceof HTMLElement ? target.dataset.cellId : undefined;
}

const cellSelector = (id: string) => `[data-cell-id="${CSS.escape(id)}"]`;

function focusEditorNow(id: string): void {
  document.querySelector<HTMLElement>(`${cellSelector(id)} .cm-content`)?.focus();
}

function neighbour(cells: CellModel[], id: string, delta: -1 | 1): CellModel | undefined {
  const index = cells.findIndex((c) => c.id === id);
  return index < 0 ? undefined : cells[index + delta];
}

/** Outputs render at most this often per running cell (about the frame rate of a busy terminal). */
const OUTPUT_BATCH_MS = 50;

type LoadState = { kind: "loading" } | { kind: "ready" } | { kind: "failed"; message: string };

function kernelLabel(metadata: Record<string, unknown>): string {
  const spec = metadata.kernelspec;
  return isJsonObject(spec) && typeof spec.display_name === "string" ? spec.display_name : LIGHTBOOK_KERNEL.display_name;
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
  const [load, setLoad] = useState<LoadState>({ kind: "loading" });
  const [kernel, setKernel] = useState<KernelSession | null>(null);
  const [kernelStatus, setKernelStatus] = useState<KernelDisplayStatus>("no kernel");
  const [kernelError, setKernelError] = useState<string | null>(null);
  const [kernelAttempt, setKernelAttempt] = useState(0);
  const [exportError, setExportError] = useState<string | null>(null);
  const [mode, setMode] = useState<NotebookMode>("command");
  const [dataPanelOpen, setDataPanelOpen] = useState(false);
  const commandKeys = useRef(new CommandKeys());
  const [dialog, setDialog] = useState<"key-help" | "restart" | "restart-run-all" | "revisions" | null>(null);
  const [sidePanel, setSidePanel] = useState<SidePanelKind | null>(null);
  const [width, setWidth] = useNotebookWidth();
  const router = useRouter();
  // Line numbers are a view setting, as in JupyterLab: not saved with the notebook.
  const [lineNumbers, setLineNumbers] = useState<ReadonlySet<string>>(new Set());

  const saving = useNotebookSave(path, state, dispatch);
  const { save } = saving;
  useDocumentTitle(fileName(path), saving.saveState !== "saved");

  // Event handlers read the latest state through this ref, so they can stay stable for memoized cells.
  const latest = useRef({ state, kernel });
  useEffect(() => {
    latest.current = { state, kernel };
  });
  const currentCells = useCallback(() => latest.current.state.cells, []);
  useOtherExecutions(kernel, { cells: currentCells, dispatch, batchMs: OUTPUT_BATCH_MS, onError: setKernelError });
  // The execution that currently owns each cell's outputs; a re-run or a restart replaces it.
  const executions = useRef(new Map<string, Execution>());

  useEffect(() => {
    let cancelled = false;
    setLoad({ kind: "loading" });
    loadNotebook(path).then(
      ({ notebook, revision }) => {
        if (cancelled) return;
        saving.loaded(revision);
        dispatch({ type: "load", notebook, blankCellId: newCellId() });
        setLoad({ kind: "ready" });
      },
      (e: unknown) => !cancelled && setLoad({ kind: "failed", message: errorMessage(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [path]);

  const ready = load.kind === "ready";
  useEffect(() => {
    if (!ready) return;
    let disposed = false;
    let session: KernelSession | null = null;
    let stopListening = (): void => {};
    setKernelStatus("starting");
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
        setKernelStatus("no kernel");
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
    if (cell.kind !== "code") {
      if (cell.kind === "markdown") dispatch({ type: "set-editing", id: cell.id, editing: false });
      return;
    }
    const session = latest.current.kernel;
    if (!session) return;
    const id = cell.id;
    disposeExecution(executions.current, id);
    dispatch({ type: "execute-start", id });
    const current = (): boolean => executions.current.get(id) === execution;
    const events = batcher<OutputEvent>((batch) => current() && dispatch({ type: "execute-events", id, events: batch }), OUTPUT_BATCH_MS);
    const started = session.execute(
      source,
      id,
      (event) => events.push(event),
      // What the cell printed before asking shows above the prompt.
      (request) => {
        events.flush();
        if (current()) dispatch({ type: "input-request", id, request });
      },
    );
    const execution: Execution = {
      done: started.done,
      dispose: () => {
        events.cancel();
        started.dispose();
      },
    };
    executions.current.set(id, execution);
    try {
      const outcome = await execution.done;
      events.flush();
      if (current()) dispatch({ type: "execute-end", id, executionCount: outcome.executionCount, at: outcome.endedAt });
    } catch (e: unknown) {
      if (!current()) return;
      events.flush();
      dispatch({ type: "execute-end", id, executionCount: null, at: null });
      setKernelError(errorMessage(e));
    }
  }, []);

  // Deleted cells (or cells turned into markdown) no longer listen to their last execution.
  const { cells } = state;
  useEffect(() => {
    for (const id of executions.current.keys()) {
      if (!cells.some((cell) => cell.id === id && cell.kind === "code")) disposeExecution(executions.current, id);
    }
  }, [cells]);

  // A dragged cell takes the place of the one it is dropped on, by the same move as the ↑/↓ buttons.
  // An id no longer present gives an index of -1, which the reducer's bounds check rejects.
  const [dragging, setDragging] = useState<{ id: string; over: string | null } | null>(null);
  const cellDrag = useMemo<CellDrag>(
    () => ({
      start: (id) => setDragging({ id, over: null }),
      over: (id) => setDragging((d) => (d && d.over !== id ? { ...d, over: id } : d)),
      end: () => setDragging(null),
      drop: (draggedId, targetId) => {
        setDragging(null);
        const { cells } = latest.current.state;
        const delta = cells.findIndex((c) => c.id === targetId) - cells.findIndex((c) => c.id === draggedId);
        if (delta !== 0) dispatch({ type: "move", id: draggedId, delta });
      },
    }),
    [],
  );
  const draggedIndex = dragging ? cells.findIndex((c) => c.id === dragging.id) : -1;
  const dropSide = (index: number, id: string): "before" | "after" | undefined =>
    dragging?.over !== id || index === draggedIndex ? undefined : index < draggedIndex ? "before" : "after";

  // Focus after a run follows JupyterLab: command mode, except in a cell just added to type in.
  const runCell = useCallback(
    (id: string, source: string, mode: RunMode) => {
      const { cells } = latest.current.state;
      const cell = cells.find((c) => c.id === id);
      if (!cell) return;
      void execute(cell, source);
      const next = neighbour(cells, id, 1);
      if (mode === "in-place") dispatch({ type: "select", id, focus: "cell" });
      else if (mode === "advance" && next) dispatch({ type: "select", id: next.id, focus: "cell" });
      else dispatch({ type: "insert", afterId: id, cell: emptyCell("code", newCellId()) });
    },
    [execute],
  );

  const onExitEditor = useCallback((id: string, exit: EditorExit) => {
    if (exit === "command-mode") {
      // As focusEditorNow: the next key is a command-mode key even before the render.
      document.querySelector<HTMLElement>(cellSelector(id))?.focus();
      return dispatch({ type: "select", id, focus: "cell" });
    }
    const other = neighbour(latest.current.state.cells, id, exit === "previous-cell" ? -1 : 1);
    if (other) dispatch({ type: "select", id: other.id, focus: "editor" });
  }, []);

  const runCommand = (command: NotebookCommand, id: string) => {
    if (isCellsCommand(command)) return runCellsCommand(command, latest.current.state, dispatch);
    const { cells } = latest.current.state;
    const cell = cells.find((c) => c.id === id);
    if (!cell) return;
    const insert = (afterId: string | null) => dispatch({ type: "insert", afterId, cell: emptyCell("code", newCellId()), focus: "cell" });
    const select = (other: CellModel | undefined) => other && dispatch({ type: "select", id: other.id, focus: "cell" });
    switch (command) {
      case "edit":
        if (cell.kind === "markdown") return dispatch({ type: "set-editing", id, editing: true });
        // Focused now, not in the effect after the render: keys typed right after Enter must reach
        // the editor, not run as command-mode keys, however slow the render is.
        focusEditorNow(id);
        return dispatch({ type: "select", id, focus: "editor" });
      case "run-advance":
        return runCell(id, cell.source, "advance");
      case "run-in-place":
        return runCell(id, cell.source, "in-place");
      case "run-insert-below":
        return runCell(id, cell.source, "insert-below");
      case "insert-above":
        return insert(neighbour(cells, id, -1)?.id ?? null);
      case "insert-below":
        return insert(id);
      case "undo-delete":
        return dispatch({ type: "undo-delete" });
      case "to-code":
        return dispatch({ type: "set-kind", id, kind: "code", newId: newCellId() });
      case "to-markdown":
        return dispatch({ type: "set-kind", id, kind: "markdown", newId: newCellId() });
      case "to-raw":
        return dispatch({ type: "set-kind", id, kind: "raw", newId: newCellId() });
      case "select-previous":
        return select(neighbour(cells, id, -1));
      case "select-next":
        return select(neighbour(cells, id, 1));
      case "toggle-output":
        return cell.kind === "code" && dispatch({ type: "set-metadata", id, metadata: withHidden(cell, "outputs", !isHidden(cell, "outputs")) });
      case "toggle-line-numbers":
        return setLineNumbers((shown) => {
          const next = new Set(shown);
          if (!next.delete(id)) next.add(id);
          return next;
        });
      case "toggle-all-line-numbers":
        return setLineNumbers((shown) => new Set(cells.every((c) => shown.has(c.id)) ? [] : cells.map((c) => c.id)));
      case "interrupt":
        return interrupt();
      case "restart":
        return kernel && setDialog("restart");
      case "help":
        return setDialog("key-help");
      default: {
        const level = Number(command.slice("heading-".length)) as HeadingLevel;
        return dispatch({ type: "set-kind", id, kind: "markdown", newId: newCellId(), source: asHeading(cell.source, level) });
      }
    }
  };

  // Command mode: keys pressed while a cell itself (not its editor) has the focus.
  const onCellsKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    const id = commandModeCellId(event.target);
    if (id === undefined) return;
    const command = commandKeys.current.command(event);
    if (command === null && !commandKeys.current.pending()) return;
    event.preventDefault();
    if (command) runCommand(command, id);
  };

  const onCellsFocus = (event: FocusEvent<HTMLDivElement>) => {
    if (commandModeCellId(event.target) !== undefined) setMode("command");
    else if (event.target instanceof HTMLElement && event.target.closest(".cm-editor")) setMode("edit");
  };

  const runSelected = () => {
    const { selectedId, cells } = latest.current.state;
    const cell = cells.find((c) => c.id === selectedId);
    if (cell) runCell(cell.id, cell.source, "in-place");
  };

  // Sent together: the kernel runs them in order and, with stop_on_error, aborts the rest after an error.
  const runCells = (which: "all" | "above" | "below") => {
    const { cells, selectedId } = latest.current.state;
    const selected = Math.max(
      0,
      cells.findIndex((c) => c.id === selectedId),
    );
    const range = which === "all" ? cells : which === "above" ? cells.slice(0, selected) : cells.slice(selected);
    for (const cell of range) void execute(cell, cell.source);
  };

  // The server stores outputs, so it clears them too; the page's saves leave stored outputs alone.
  const clearOutputs = (id: string | null) => {
    dispatch({ type: "clear-outputs", id });
    saving.clearStored(id).catch((e: unknown) => setKernelError(errorMessage(e)));
  };

  const interrupt = () => {
    kernel?.interrupt().catch((e: unknown) => setKernelError(errorMessage(e)));
  };

  const restart = (then?: () => void) => {
    if (!kernel) return;
    disposeAllExecutions(executions.current);
    dispatch({ type: "executions-cancelled" });
    setKernelError(null);
    kernel.restart().then(then, (e: unknown) => setKernelError(errorMessage(e)));
  };

  // Saved first, so the file renamed is what the page shows; the kernel session follows the file.
  const rename = async (newName: string) => {
    await save();
    const renamed = await renameNotebook(path, newName);
    router.replace(notebookHref(renamed.path));
  };

  const downloadIpynb = () => {
    const notebook = toNotebook(latest.current.state);
    downloadFile(fileName(path), `${JSON.stringify(notebook, null, 1)}\n`, "application/x-ipynb+json");
  };

  const exportHtml = async () => {
    const name = fileName(path);
    try {
      const html = await notebookToHtml(toNotebook(latest.current.state), name);
      downloadFile(`${name.replace(/\.ipynb$/i, "")}.html`, html, "text/html");
    } catch (e: unknown) {
      setExportError(`Could not export HTML: ${errorMessage(e)}`);
    }
  };

  const insertCode = useCallback((code: string) => {
    const { selectedId, cells } = latest.current.state;
    const afterId = selectedId ?? cells[cells.length - 1]?.id ?? null;
    dispatch({ type: "insert", afterId, cell: emptyCell("code", newCellId(), code), focus: "cell" });
  }, []);

  const addCell = () => {
    const { selectedId, cells } = latest.current.state;
    const afterId = selectedId ?? cells[cells.length - 1]?.id ?? null;
    dispatch({ type: "insert", afterId, cell: emptyCell("code", newCellId()) });
  };

  // Ctrl/Cmd-S anywhere on the page saves the notebook instead of the browser's "Save page".
  useEffect(() => {
    if (!ready) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void save();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [ready, save]);

  const name = fileName(path);
  if (load.kind === "loading") return <p className="page-message">Loading {name}…</p>;
  if (load.kind === "failed") {
    return (
      <p className="page-message notice" role="alert" data-testid="load-error">
        {load.message}
      </p>
    );
  }

  const { selectedId, focus } = state;
  const inSelection = new Set(selectedCells(state).map((c) => c.id));
  return (
    <div className={`notebook notebook-width-${width}`}>
      <NotebookToolbar
        name={name}
        onRename={rename}
        saveState={saving.saveState}
        canRun={kernel !== null}
        onRun={runSelected}
        onRunAll={() => runCells("all")}
        onRunAbove={() => runCells("above")}
        onRunBelow={() => runCells("below")}
        mode={mode}
        onInterrupt={interrupt}
        onRestart={() => setDialog("restart")}
        onRestartRunAll={() => setDialog("restart-run-all")}
        onSave={() => void save()}
        onAddCell={addCell}
        onClearOutput={() => state.selectedId !== null && clearOutputs(state.selectedId)}
        onClearAllOutputs={() => clearOutputs(null)}
        onDownloadIpynb={downloadIpynb}
        onExportHtml={() => void exportHtml()}
        onShowRevisions={() => setDialog("revisions")}
        dataPanelOpen={dataPanelOpen}
        onToggleDataPanel={() => setDataPanelOpen((open) => !open)}
        sidePanel={sidePanel}
        onSidePanel={setSidePanel}
        width={width}
        onWidth={setWidth}
        kernelStatus={kernelStatus}
        kernelLabel={kernelLabel(state.metadata)}
      />
      {saving.error && <Notice testId="save-error" message={saving.error} onDismiss={saving.dismissError} />}
      <SaveConflictNotice saving={saving} cellIds={cells.map((c) => c.id)} />
      {exportError && <Notice testId="export-error" message={exportError} onDismiss={() => setExportError(null)} />}
      {kernelError && (
        <Notice testId="kernel-error" message={kernelError} onDismiss={() => setKernelError(null)}>
          {kernel === null && (
            <button type="button" onClick={() => setKernelAttempt((n) => n + 1)}>
              Start kernel
            </button>
          )}
        </Notice>
      )}
      <div className="notebook-body">
        {sidePanel && <SidePanel panel={sidePanel} path={path} cells={cells} onSelect={(id) => dispatch({ type: "select", id, focus: "cell" })} />}
        <div className="cells" onKeyDown={onCellsKeyDown} onFocus={onCellsFocus}>
          {cells.map((cell, i) => (
            <Cell
              key={`${state.generation}:${cell.id}`}
              cell={cell}
              number={i + 1}
              isFirst={i === 0}
              isLast={i === cells.length - 1}
              selected={cell.id === selectedId}
              inSelection={inSelection.has(cell.id)}
              focus={focus?.cellId === cell.id ? focus : undefined}
              dispatch={dispatch}
              onRun={runCell}
              onExitEditor={onExitEditor}
              drag={cellDrag}
              dropSide={dropSide(i, cell.id)}
              help={kernel ?? undefined}
              showLineNumbers={lineNumbers.has(cell.id)}
            />
          ))}
        </div>
      </div>
      {/* After the cells: its effects run after theirs, so an editor mounted to show a match does not keep the focus. */}
      <NotebookSearch cells={cells} selectedId={selectedId} dispatch={dispatch} />
      {dialog === "key-help" && <KeyHelpDialog onClose={() => setDialog(null)} />}
      {dialog === "restart" && <RestartDialog onRestart={() => restart()} onClose={() => setDialog(null)} />}
      {dialog === "restart-run-all" && <RestartDialog runAll onRestart={() => restart(() => runCells("all"))} onClose={() => setDialog(null)} />}
      {dialog === "revisions" && <RevisionsDialog path={path} onClose={() => setDialog(null)} onRestored={() => void saving.reload()} />}
      {dataPanelOpen && (
        <aside className="data-panel" aria-label="Data browser">
          <button type="button" className="panel-close" aria-label="Close data browser" onClick={() => setDataPanelOpen(false)}>
            ✕
          </button>
          <DataBrowser onInsertCode={insertCode} />
        </aside>
      )}
    </div>
  );
}
