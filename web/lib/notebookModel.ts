// The open notebook as editor state: a pure reducer over cells, plus conversion to and from nbformat.

import { isJsonObject, type JsonObject, type NbCell, type NbNotebook } from './nbformat';
import { applyOutputEvent, toNbOutput, type InputRequest, type Output, type OutputEvent } from './outputs';

export interface CodeCell {
  kind: 'code';
  id: string;
  source: string;
  metadata: JsonObject;
  outputs: Output[];
  clearPending: boolean;
  executionCount: number | null;
  running: boolean;
  /** The run waits for the user to answer this prompt. */
  input: InputRequest | null;
}

export interface TextCell {
  kind: 'markdown' | 'raw';
  id: string;
  source: string;
  metadata: JsonObject;
  attachments?: JsonObject;
  /** Markdown shows its rendering unless being edited; raw cells are always edited. */
  editing: boolean;
}

export type Cell = CodeCell | TextCell;
export type CellKind = Cell['kind'];

export function isCellKind(value: string): value is CellKind {
  return value === 'code' || value === 'markdown' || value === 'raw';
}

/** Jupyter's two modes: keys edit the cell's text, or act on whole cells. */
export type FocusTarget = 'editor' | 'cell';

/** A request for focus; the nonce makes repeated requests distinct. */
export interface FocusRequest {
  cellId: string;
  nonce: number;
  target: FocusTarget;
}

/** A deleted cell and where it was, for undo (Z). */
export interface DeletedCell {
  cell: Cell;
  index: number;
}

export interface NotebookState {
  metadata: JsonObject;
  nbformatMinor: number;
  cells: Cell[];
  selectedId: string | null;
  focus: FocusRequest | null;
  /** Most recent last. */
  deleted: DeletedCell[];
  /** Bumped on every load, so editors (which own their text once seeded) are created afresh. */
  generation: number;
  /** Bumped on every change to the document; dirty while it differs from the saved revision. */
  revision: number;
  savedRevision: number;
}

export type NotebookAction =
  /** `blankCellId` names the code cell an empty notebook opens with, so there is somewhere to type. */
  | { type: 'load'; notebook: NbNotebook; blankCellId: string }
  | { type: 'edit'; id: string; source: string }
  | { type: 'select'; id: string; focus?: FocusTarget }
  /** The new cell takes the focus `focus` asks for (the editor by default, so there is somewhere to type). */
  | { type: 'insert'; afterId: string | null; cell: Cell; focus?: FocusTarget }
  | { type: 'delete'; id: string }
  | { type: 'undo-delete' }
  /** `delta` positions down (negative: up); the buttons move by one, dragging by any number. */
  | { type: 'move'; id: string; delta: number }
  | { type: 'set-kind'; id: string; kind: CellKind; newId: string }
  | { type: 'set-editing'; id: string; editing: boolean }
  /**
   * Execution actions; `remote`: another client ran the cell. Its outputs are shown but do not make
   * this copy dirty, since the client that ran it saves them (else every viewer would save too).
   */
  | { type: 'execute-start'; id: string; remote?: boolean }
  /** Events of one execution in arrival order, batched so a flood of output renders a few times a second. */
  | { type: 'execute-events'; id: string; events: OutputEvent[]; remote?: boolean }
  /** `at`: the reply's time, recorded with the start in the cell's metadata as JupyterLab's "record timing" does. */
  | { type: 'execute-end'; id: string; executionCount: number | null; at: string | null; remote?: boolean }
  /** `input()` in a run of the cell; answering (here or in another page) echoes prompt and answer as Jupyter does. */
  | { type: 'input-request'; id: string; request: InputRequest }
  | { type: 'input-answered'; inputId: string; value: string }
  | { type: 'executions-cancelled' }
  | { type: 'saved'; revision: number };

/** nbformat cell ids: 1–64 of [a-zA-Z0-9-_]. getRandomValues works on plain-http origins too. */
export function newCellId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function emptyCell(kind: CellKind, id: string, source = ''): Cell {
  return kind === 'code'
    ? { kind, id, source, metadata: {}, outputs: [], clearPending: false, executionCount: null, running: false, input: null }
    : { kind, id, source, metadata: {}, editing: true };
}

export const initialNotebookState: NotebookState = {
  metadata: {},
  nbformatMinor: 5,
  cells: [],
  selectedId: null,
  focus: null,
  deleted: [],
  generation: 0,
  revision: 0,
  savedRevision: 0,
};

export function isDirty(state: NotebookState): boolean {
  return state.revision !== state.savedRevision;
}

function fromNbCell(cell: NbCell): Cell {
  if (cell.cell_type === 'code') {
    return {
      kind: 'code',
      id: cell.id,
      source: cell.source,
      metadata: cell.metadata,
      outputs: cell.outputs,
      clearPending: false,
      executionCount: cell.execution_count,
      running: false,
      input: null,
    };
  }
  const text: TextCell = { kind: cell.cell_type, id: cell.id, source: cell.source, metadata: cell.metadata, editing: cell.cell_type === 'raw' };
  if (cell.attachments) text.attachments = cell.attachments;
  return text;
}

function toNbCell(cell: Cell): NbCell {
  if (cell.kind === 'code') {
    return {
      id: cell.id,
      cell_type: 'code',
      metadata: cell.metadata,
      source: cell.source,
      outputs: cell.outputs.map(toNbOutput),
      execution_count: cell.executionCount,
    };
  }
  return {
    id: cell.id,
    cell_type: cell.kind,
    metadata: cell.metadata,
    source: cell.source,
    ...(cell.attachments ? { attachments: cell.attachments } : {}),
  };
}

export function toNotebook(state: NotebookState): NbNotebook {
  return { nbformat: 4, nbformat_minor: state.nbformatMinor, metadata: state.metadata, cells: state.cells.map(toNbCell) };
}

function mapCell(state: NotebookState, id: string, change: (cell: Cell) => Cell): Cell[] {
  return state.cells.map((cell) => (cell.id === id ? change(cell) : cell));
}

function mapCode(state: NotebookState, id: string, change: (cell: CodeCell) => CodeCell): Cell[] {
  return mapCell(state, id, (cell) => (cell.kind === 'code' ? change(cell) : cell));
}

function changed(state: NotebookState, cells: Cell[], extra: Partial<NotebookState> = {}): NotebookState {
  return { ...state, ...extra, cells, revision: state.revision + 1 };
}

function executed(state: NotebookState, remote: boolean | undefined, cells: Cell[]): NotebookState {
  return remote ? { ...state, cells } : changed(state, cells);
}

function focusOn(state: NotebookState, cellId: string, target: FocusTarget = 'editor'): FocusRequest {
  return { cellId, nonce: (state.focus?.nonce ?? 0) + 1, target };
}

/** Deleted cells kept for undo; older ones are dropped. */
const UNDO_DEPTH = 50;

/** Keys JupyterLab uses in `metadata.execution` when it records cell timing. */
export const EXECUTION_STARTED = 'iopub.execute_input';
export const EXECUTION_ENDED = 'shell.execute_reply';

function withExecutionTime(cell: CodeCell, key: string, at: string | null): CodeCell {
  if (at === null) return cell;
  const execution = isJsonObject(cell.metadata.execution) ? cell.metadata.execution : {};
  return { ...cell, metadata: { ...cell.metadata, execution: { ...execution, [key]: at } } };
}

function withoutExecutionTime(cell: CodeCell): CodeCell {
  const { execution: _dropped, ...metadata } = cell.metadata;
  return { ...cell, metadata };
}

/** Seconds from start to end of the cell's last run, or null if it never finished. */
export function executionSeconds(cell: Cell): number | null {
  if (cell.kind !== 'code' || !isJsonObject(cell.metadata.execution)) return null;
  const started = cell.metadata.execution[EXECUTION_STARTED];
  const ended = cell.metadata.execution[EXECUTION_ENDED];
  if (typeof started !== 'string' || typeof ended !== 'string') return null;
  const ms = Date.parse(ended) - Date.parse(started);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

/** What stays of an answered prompt: a stdout line, the answer masked if it was a password (as JupyterLab shows it). */
function answeredInput(cell: CodeCell, value: string): CodeCell {
  if (!cell.input) return cell;
  const text = `${cell.input.prompt}${cell.input.password ? '········' : value}\n`;
  return { ...cell, ...applyOutputEvent(cell, { kind: 'output', output: { output_type: 'stream', name: 'stdout', text } }), input: null };
}

function applyCellEvent(cell: CodeCell, event: OutputEvent): CodeCell {
  if (event.kind === 'execute-input') return { ...withExecutionTime(cell, EXECUTION_STARTED, event.at), executionCount: event.executionCount };
  return { ...cell, ...applyOutputEvent(cell, event) };
}

export function notebookReducer(state: NotebookState, action: NotebookAction): NotebookState {
  switch (action.type) {
    case 'load': {
      const cells = action.notebook.cells.length > 0 ? action.notebook.cells.map(fromNbCell) : [emptyCell('code', action.blankCellId)];
      return {
        ...initialNotebookState,
        generation: state.generation + 1,
        metadata: action.notebook.metadata,
        nbformatMinor: action.notebook.nbformat_minor,
        cells,
        selectedId: cells[0]?.id ?? null,
        // Opens in command mode on the first cell, as Jupyter does.
        focus: cells[0] ? { cellId: cells[0].id, nonce: 1, target: 'cell' } : null,
      };
    }
    case 'edit':
      return changed(state, mapCell(state, action.id, (cell) => ({ ...cell, source: action.source })));
    case 'select':
      return { ...state, selectedId: action.id, focus: action.focus ? focusOn(state, action.id, action.focus) : state.focus };
    case 'insert': {
      const at = action.afterId === null ? 0 : state.cells.findIndex((c) => c.id === action.afterId) + 1;
      const cells = [...state.cells.slice(0, at), action.cell, ...state.cells.slice(at)];
      return changed(state, cells, { selectedId: action.cell.id, focus: focusOn(state, action.cell.id, action.focus) });
    }
    case 'delete': {
      const index = state.cells.findIndex((c) => c.id === action.id);
      const cell = state.cells[index];
      if (!cell) return state;
      const cells = state.cells.filter((c) => c.id !== action.id);
      const next = cells[Math.min(index, cells.length - 1)];
      const deleted = [...state.deleted, { cell, index }].slice(-UNDO_DEPTH);
      // The selection (and command-mode focus) moves to the cell that takes its place, as in Jupyter.
      const keepFocus = next && state.selectedId === action.id ? { focus: focusOn(state, next.id, 'cell') } : {};
      return changed(state, cells, { selectedId: next?.id ?? null, deleted, ...keepFocus });
    }
    case 'undo-delete': {
      const last = state.deleted[state.deleted.length - 1];
      if (!last) return state;
      const cells = [...state.cells];
      cells.splice(Math.min(last.index, cells.length), 0, last.cell);
      return changed(state, cells, { selectedId: last.cell.id, deleted: state.deleted.slice(0, -1), focus: focusOn(state, last.cell.id, 'cell') });
    }
    case 'move': {
      const from = state.cells.findIndex((c) => c.id === action.id);
      const to = from + action.delta;
      const moving = state.cells[from];
      if (from < 0 || to < 0 || to >= state.cells.length || !moving) return state;
      const cells = state.cells.filter((c) => c.id !== action.id);
      cells.splice(to, 0, moving);
      return changed(state, cells);
    }
    case 'set-kind': {
      if (state.cells.find((c) => c.id === action.id)?.kind === action.kind) return state;
      // A new id remounts the cell, so its editor picks up the new language.
      const cells = mapCell(state, action.id, (cell) => (cell.kind === action.kind ? cell : { ...emptyCell(action.kind, action.newId, cell.source), metadata: cell.metadata }));
      if (state.selectedId !== action.id) return changed(state, cells);
      return changed(state, cells, { selectedId: action.newId, focus: focusOn(state, action.newId, 'cell') });
    }
    case 'set-editing':
      return {
        ...state,
        cells: mapCell(state, action.id, (cell) => (cell.kind === 'markdown' ? { ...cell, editing: action.editing } : cell)),
        focus: action.editing ? focusOn(state, action.id) : state.focus,
      };
    case 'execute-start':
      return executed(state, action.remote, mapCode(state, action.id, (cell) => ({ ...withoutExecutionTime(cell), outputs: [], clearPending: false, executionCount: null, running: true, input: null })));
    case 'execute-events':
      return executed(state, action.remote, mapCode(state, action.id, (cell) => action.events.reduce(applyCellEvent, cell)));
    case 'execute-end':
      return executed(state, action.remote, mapCode(state, action.id, (cell) => ({ ...withExecutionTime(cell, EXECUTION_ENDED, action.at), running: false, input: null, executionCount: action.executionCount ?? cell.executionCount })));
    case 'input-request':
      return { ...state, cells: mapCode(state, action.id, (cell) => ({ ...cell, input: action.request })) };
    case 'input-answered': {
      const asked = state.cells.find((cell) => cell.kind === 'code' && cell.input?.id === action.inputId);
      if (asked?.kind !== 'code' || !asked.input) return state;
      return executed(state, asked.input.remote, mapCode(state, asked.id, (cell) => answeredInput(cell, action.value)));
    }
    case 'executions-cancelled':
      return { ...state, cells: state.cells.map((cell) => (cell.kind === 'code' && cell.running ? { ...cell, running: false, input: null } : cell)) };
    case 'saved':
      return { ...state, savedRevision: action.revision };
  }
}
