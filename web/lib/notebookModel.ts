// The open notebook as editor state: a pure reducer over cells, plus conversion to and from nbformat.

import type { JsonObject, NbCell, NbNotebook } from './nbformat';
import { applyOutputEvent, toNbOutput, type Output, type OutputEvent } from './outputs';

export interface CodeCell {
  kind: 'code';
  id: string;
  source: string;
  metadata: JsonObject;
  outputs: Output[];
  clearPending: boolean;
  executionCount: number | null;
  running: boolean;
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

export interface NotebookState {
  metadata: JsonObject;
  nbformatMinor: number;
  cells: Cell[];
  selectedId: string | null;
  /** A request for the cell's editor to take focus; the nonce makes repeated requests distinct. */
  focus: { cellId: string; nonce: number } | null;
  /** Bumped on every change to the document; dirty while it differs from the saved revision. */
  revision: number;
  savedRevision: number;
}

export type NotebookAction =
  /** `blankCellId` names the code cell an empty notebook opens with, so there is somewhere to type. */
  | { type: 'load'; notebook: NbNotebook; blankCellId: string }
  | { type: 'edit'; id: string; source: string }
  | { type: 'select'; id: string; focus?: boolean }
  | { type: 'insert'; afterId: string | null; cell: Cell }
  | { type: 'delete'; id: string }
  | { type: 'move'; id: string; delta: -1 | 1 }
  | { type: 'set-kind'; id: string; kind: CellKind; newId: string }
  | { type: 'set-editing'; id: string; editing: boolean }
  | { type: 'execute-start'; id: string }
  | { type: 'execute-event'; id: string; event: OutputEvent }
  | { type: 'execute-end'; id: string; executionCount: number | null }
  | { type: 'executions-cancelled' }
  | { type: 'saved'; revision: number };

/** nbformat cell ids: 1–64 of [a-zA-Z0-9-_]. getRandomValues works on plain-http origins too. */
export function newCellId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function emptyCell(kind: CellKind, id: string, source = ''): Cell {
  return kind === 'code'
    ? { kind, id, source, metadata: {}, outputs: [], clearPending: false, executionCount: null, running: false }
    : { kind, id, source, metadata: {}, editing: true };
}

export const initialNotebookState: NotebookState = {
  metadata: {},
  nbformatMinor: 5,
  cells: [],
  selectedId: null,
  focus: null,
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

function focusOn(state: NotebookState, cellId: string): NotebookState['focus'] {
  return { cellId, nonce: (state.focus?.nonce ?? 0) + 1 };
}

export function notebookReducer(state: NotebookState, action: NotebookAction): NotebookState {
  switch (action.type) {
    case 'load': {
      const cells = action.notebook.cells.length > 0 ? action.notebook.cells.map(fromNbCell) : [emptyCell('code', action.blankCellId)];
      return {
        ...initialNotebookState,
        metadata: action.notebook.metadata,
        nbformatMinor: action.notebook.nbformat_minor,
        cells,
        selectedId: cells[0]?.id ?? null,
      };
    }
    case 'edit':
      return changed(state, mapCell(state, action.id, (cell) => ({ ...cell, source: action.source })));
    case 'select':
      return { ...state, selectedId: action.id, focus: action.focus ? focusOn(state, action.id) : state.focus };
    case 'insert': {
      const at = action.afterId === null ? 0 : state.cells.findIndex((c) => c.id === action.afterId) + 1;
      const cells = [...state.cells.slice(0, at), action.cell, ...state.cells.slice(at)];
      return changed(state, cells, { selectedId: action.cell.id, focus: focusOn(state, action.cell.id) });
    }
    case 'delete': {
      const index = state.cells.findIndex((c) => c.id === action.id);
      if (index < 0) return state;
      const cells = state.cells.filter((c) => c.id !== action.id);
      const next = cells[Math.min(index, cells.length - 1)];
      return changed(state, cells, { selectedId: next?.id ?? null });
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
      // A new id remounts the cell, so its editor picks up the new language.
      const cells = mapCell(state, action.id, (cell) => (cell.kind === action.kind ? cell : { ...emptyCell(action.kind, action.newId, cell.source), metadata: cell.metadata }));
      const selectedId = state.selectedId === action.id ? action.newId : state.selectedId;
      return changed(state, cells, { selectedId });
    }
    case 'set-editing':
      return {
        ...state,
        cells: mapCell(state, action.id, (cell) => (cell.kind === 'markdown' ? { ...cell, editing: action.editing } : cell)),
        focus: action.editing ? focusOn(state, action.id) : state.focus,
      };
    case 'execute-start':
      return changed(state, mapCode(state, action.id, (cell) => ({ ...cell, outputs: [], clearPending: false, executionCount: null, running: true })));
    case 'execute-event': {
      const { event } = action;
      if (event.kind === 'execute-input') {
        return changed(state, mapCode(state, action.id, (cell) => ({ ...cell, executionCount: event.executionCount })));
      }
      return changed(state, mapCode(state, action.id, (cell) => ({ ...cell, ...applyOutputEvent(cell, event) })));
    }
    case 'execute-end':
      return changed(state, mapCode(state, action.id, (cell) => ({ ...cell, running: false, executionCount: action.executionCount ?? cell.executionCount })));
    case 'executions-cancelled':
      return { ...state, cells: state.cells.map((cell) => (cell.kind === 'code' && cell.running ? { ...cell, running: false } : cell)) };
    case 'saved':
      return { ...state, savedRevision: action.revision };
  }
}
