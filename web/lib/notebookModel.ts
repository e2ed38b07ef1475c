// The open notebook as editor state: a pure reducer over cells, plus conversion to and from nbformat.

import { isJsonObject } from "../../contracts/json";
import type { Attachments, JsonObject, MimeBundle, NbCell, NbNotebook } from "../../contracts/notebook";
import { applyOutputEvent, toNbOutput, type InputRequest, type Output, type OutputEvent } from "./outputs";

export interface CodeCell {
  kind: "code";
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
  kind: "markdown" | "raw";
  id: string;
  source: string;
  metadata: JsonObject;
  attachments?: Attachments;
  /** Markdown shows its rendering unless being edited; raw cells are always edited. */
  editing: boolean;
}

export type Cell = CodeCell | TextCell;
export type CellKind = Cell["kind"];

export function isCellKind(value: string): value is CellKind {
  return value === "code" || value === "markdown" || value === "raw";
}

/** Jupyter's two modes: keys edit the cell's text, or act on whole cells. */
export type FocusTarget = "editor" | "cell";

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

/**
 * More than one selected cell, as JupyterLab's: the contiguous range from `anchor` (where Shift-J/K
 * or Shift-click started) to `head`. Null when only the active cell (`selectedId`) is selected.
 */
export interface CellRange {
  anchor: string;
  head: string;
}

export interface NotebookState {
  metadata: JsonObject;
  nbformatMinor: number;
  cells: Cell[];
  /** The active cell: the one the keys act on and whose editor edit mode types into. */
  selectedId: string | null;
  selection: CellRange | null;
  focus: FocusRequest | null;
  /** What each delete removed (D D on several cells removes them together), most recent last. */
  deleted: DeletedCell[][];
  /** Bumped on every load, so editors (which own their text once seeded) are created afresh. */
  generation: number;
  /** Bumped on every change to the document; dirty while it differs from the saved revision. */
  revision: number;
  savedRevision: number;
}

export type NotebookAction =
  /** `blankCellId` names the code cell an empty notebook opens with, so there is somewhere to type. */
  | { type: "load"; notebook: NbNotebook; blankCellId: string; unsaved?: boolean }
  | { type: "edit"; id: string; source: string }
  | { type: "select"; id: string; focus?: FocusTarget }
  /** Shift-J/K, Shift-↑/↓, Shift-click: the selection now reaches `to`, which becomes the active cell. */
  | { type: "extend-selection"; to: string }
  /** Ctrl-A in command mode; the active cell stays. */
  | { type: "select-all" }
  /** The new cell takes the focus `focus` asks for (the editor by default, so there is somewhere to type). */
  | { type: "insert"; afterId: string | null; cell: Cell; focus?: FocusTarget }
  /** Deleting every cell leaves a blank code cell `blankCellId`, as JupyterLab does, so there is somewhere to type. */
  | { type: "delete"; ids: string[]; blankCellId: string }
  /** X / C then V / Shift-V: `cells` (with ids new to this notebook) go below / above the active cell and become the selection. */
  | { type: "paste"; cells: Cell[]; above: boolean }
  /** Shift-M: the selected cells, or the active one and the next, become one cell with id `newId`. */
  | { type: "merge"; newId: string }
  /**
   * Ctrl-Shift-Minus: the cell is cut at each cursor and around each selected range of its editor, as
   * JupyterLab's split; `newIds` has an id for every piece (2 × ranges + 1 is always enough).
   */
  | { type: "split"; id: string; ranges: { from: number; to: number }[]; newIds: string[] }
  | { type: "undo-delete" }
  /** `delta` positions down (negative: up); the buttons move by one, dragging by any number. */
  | { type: "move"; id: string; delta: number }
  /** `source`: replaces the text too (the new id remounts the editor, which shows it). */
  | { type: "set-kind"; id: string; kind: CellKind; newId: string; source?: string }
  | { type: "set-metadata"; id: string; metadata: JsonObject }
  /** An image pasted or dropped into a markdown cell, kept in the cell as nbformat's `attachments`. */
  | { type: "add-attachment"; id: string; name: string; bundle: MimeBundle }
  /** As JupyterLab's "Clear outputs": outputs and execution count go; `id` null clears every cell. */
  | { type: "clear-outputs"; id: string | null }
  | { type: "set-editing"; id: string; editing: boolean }
  /**
   * Execution actions; `remote`: another client ran the cell. Its outputs are shown but do not make
   * this copy dirty, since the client that ran it saves them (else every viewer would save too).
   */
  | { type: "execute-start"; id: string; remote?: boolean }
  /** Events of one execution in arrival order, batched so a flood of output renders a few times a second. */
  | { type: "execute-events"; id: string; events: OutputEvent[]; remote?: boolean }
  /** `at`: the reply's time, recorded with the start in the cell's metadata as JupyterLab's "record timing" does. */
  | { type: "execute-end"; id: string; executionCount: number | null; at: string | null; remote?: boolean }
  /** `input()` in a run of the cell; answering (here or in another page) echoes prompt and answer as Jupyter does. */
  | { type: "input-request"; id: string; request: InputRequest }
  | { type: "input-answered"; inputId: string; value: string }
  | { type: "executions-cancelled" }
  | { type: "saved"; revision: number };

/** nbformat cell ids: 1–64 of [a-zA-Z0-9-_]. getRandomValues works on plain-http origins too. */
export function newCellId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function emptyCell(kind: CellKind, id: string, source = ""): Cell {
  return kind === "code"
    ? { kind, id, source, metadata: {}, outputs: [], clearPending: false, executionCount: null, running: false, input: null }
    : { kind, id, source, metadata: {}, editing: true };
}

export const initialNotebookState: NotebookState = {
  metadata: {},
  nbformatMinor: 5,
  cells: [],
  selectedId: null,
  selection: null,
  focus: null,
  deleted: [],
  generation: 0,
  revision: 0,
  savedRevision: 0,
};

export function isDirty(state: NotebookState): boolean {
  return state.revision !== state.savedRevision;
}

export function fromNbCell(cell: NbCell): Cell {
  if (cell.cell_type === "code") {
    return {
      kind: "code",
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
  const text: TextCell = { kind: cell.cell_type, id: cell.id, source: cell.source, metadata: cell.metadata, editing: cell.cell_type === "raw" };
  if (cell.attachments) text.attachments = cell.attachments;
  return text;
}

export function toNbCell(cell: Cell): NbCell {
  if (cell.kind === "code") {
    return {
      id: cell.id,
      cell_type: "code",
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

/** The selected cells in notebook order: the range, or the active cell alone. */
export function selectedCells(state: NotebookState): Cell[] {
  const index = (id: string | undefined) => state.cells.findIndex((c) => c.id === id);
  const active = index(state.selectedId ?? undefined);
  if (active < 0) return [];
  const anchor = index(state.selection?.anchor);
  const head = index(state.selection?.head);
  if (anchor < 0 || head < 0) return [state.cells[active]!];
  return state.cells.slice(Math.min(anchor, head), Math.max(anchor, head) + 1);
}

/** Where Shift-J/K extends from: the head of the range, or the active cell. */
export function selectionHead(state: NotebookState): string | null {
  return state.selection?.head ?? state.selectedId;
}

export function toNotebook(state: NotebookState): NbNotebook {
  return { nbformat: 4, nbformat_minor: state.nbformatMinor, metadata: state.metadata, cells: state.cells.map(toNbCell) };
}

function mapCell(state: NotebookState, id: string, change: (cell: Cell) => Cell): Cell[] {
  return state.cells.map((cell) => (cell.id === id ? change(cell) : cell));
}

function mapCode(state: NotebookState, id: string, change: (cell: CodeCell) => CodeCell): Cell[] {
  return mapCell(state, id, (cell) => (cell.kind === "code" ? change(cell) : cell));
}

function changed(state: NotebookState, cells: Cell[], extra: Partial<NotebookState> = {}): NotebookState {
  return { ...state, ...extra, cells, revision: state.revision + 1 };
}

function executed(state: NotebookState, remote: boolean | undefined, cells: Cell[]): NotebookState {
  return remote ? { ...state, cells } : changed(state, cells);
}

function focusOn(state: NotebookState, cellId: string, target: FocusTarget = "editor"): FocusRequest {
  return { cellId, nonce: (state.focus?.nonce ?? 0) + 1, target };
}

/** Deleted cells kept for undo; older ones are dropped. */
const UNDO_DEPTH = 50;

/** Keys JupyterLab uses in `metadata.execution` when it records cell timing. */
export const EXECUTION_STARTED = "iopub.execute_input";
export const EXECUTION_ENDED = "shell.execute_reply";

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
  if (cell.kind !== "code" || !isJsonObject(cell.metadata.execution)) return null;
  const started = cell.metadata.execution[EXECUTION_STARTED];
  const ended = cell.metadata.execution[EXECUTION_ENDED];
  if (typeof started !== "string" || typeof ended !== "string") return null;
  const ms = Date.parse(ended) - Date.parse(started);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

/** What stays of an answered prompt: a stdout line, the answer masked if it was a password (as JupyterLab shows it). */
function answeredInput(cell: CodeCell, value: string): CodeCell {
  if (!cell.input) return cell;
  const text = `${cell.input.prompt}${cell.input.password ? "········" : value}\n`;
  return { ...cell, ...applyOutputEvent(cell, { kind: "output", output: { output_type: "stream", name: "stdout", text } }), input: null };
}

/**
 * JupyterLab's merge: the active cell's type and metadata, the sources joined by a blank line, the
 * attachments of text cells kept; code outputs are dropped, since they belong to no single source.
 */
function mergedCell(primary: Cell, cells: Cell[], id: string): Cell {
  const source = cells.map((c) => c.source).join("\n\n");
  if (primary.kind === "code") return { ...emptyCell("code", id, source), metadata: withoutExecutionTime(primary).metadata };
  const attachments: Attachments = Object.assign({}, ...cells.map((c) => (c.kind === "code" ? {} : (c.attachments ?? {}))));
  return { kind: primary.kind, id, source, metadata: primary.metadata, editing: true, ...(Object.keys(attachments).length > 0 ? { attachments } : {}) };
}

/** JupyterLab's split: each piece keeps the cell's type and metadata; the last code piece keeps the outputs. */
function splitCell(cell: Cell, ranges: { from: number; to: number }[], newIds: string[]): { pieces: Cell[]; active: number } | null {
  const clamp = (offset: number) => Math.max(0, Math.min(cell.source.length, offset));
  const cuts = ranges.flatMap(({ from, to }) => (from === to ? [clamp(from)] : [clamp(Math.min(from, to)), clamp(Math.max(from, to))])).sort((a, b) => a - b);
  const bounds = [0, ...cuts, cell.source.length];
  if (cuts.length === 0 || newIds.length < bounds.length - 1) return null;
  const last = bounds.length - 2;
  const pieces = bounds.slice(0, -1).map((start, i): Cell => {
    const id = newIds[i]!;
    const source = cell.source
      .slice(start, bounds[i + 1])
      .replace(/^\n+/, "")
      .replace(/\n+$/, "");
    if (cell.kind !== "code") return { ...cell, id, source, editing: true };
    const code = { ...cell, id, source, running: false, input: null, clearPending: false };
    return i === last ? code : { ...withoutExecutionTime(code), outputs: [], executionCount: null };
  });
  // The piece after the cursor, or the selected text when the last range was a selection.
  const lastRange = ranges[ranges.length - 1]!;
  return { pieces, active: pieces.length - (lastRange.from === lastRange.to ? 1 : 2) };
}

function applyCellEvent(cell: CodeCell, event: OutputEvent): CodeCell {
  if (event.kind === "execute-input") return { ...withExecutionTime(cell, EXECUTION_STARTED, event.at), executionCount: event.executionCount };
  return { ...cell, ...applyOutputEvent(cell, event) };
}

export function notebookReducer(state: NotebookState, action: NotebookAction): NotebookState {
  switch (action.type) {
    case "load": {
      const cells = action.notebook.cells.length > 0 ? action.notebook.cells.map(fromNbCell) : [emptyCell("code", action.blankCellId)];
      return {
        ...initialNotebookState,
        generation: state.generation + 1,
        metadata: action.notebook.metadata,
        nbformatMinor: action.notebook.nbformat_minor,
        cells,
        selectedId: cells[0]?.id ?? null,
        // Opens in command mode on the first cell, as Jupyter does.
        focus: cells[0] ? { cellId: cells[0].id, nonce: 1, target: "cell" } : null,
        // A merge shown with edits that are not saved yet: dirty, so autosave writes them.
        revision: action.unsaved ? 1 : 0,
      };
    }
    case "edit":
      return changed(
        state,
        mapCell(state, action.id, (cell) => ({ ...cell, source: action.source })),
      );
    case "select":
      return { ...state, selectedId: action.id, selection: null, focus: action.focus ? focusOn(state, action.id, action.focus) : state.focus };
    case "extend-selection": {
      const anchor = state.selection?.anchor ?? state.selectedId;
      if (anchor === null || !state.cells.some((c) => c.id === action.to)) return state;
      return { ...state, selectedId: action.to, selection: { anchor, head: action.to }, focus: focusOn(state, action.to, "cell") };
    }
    case "select-all": {
      const first = state.cells[0];
      const last = state.cells[state.cells.length - 1];
      return first && last ? { ...state, selection: { anchor: first.id, head: last.id } } : state;
    }
    case "insert": {
      const at = action.afterId === null ? 0 : state.cells.findIndex((c) => c.id === action.afterId) + 1;
      const cells = [...state.cells.slice(0, at), action.cell, ...state.cells.slice(at)];
      return changed(state, cells, { selectedId: action.cell.id, selection: null, focus: focusOn(state, action.cell.id, action.focus) });
    }
    case "delete": {
      const ids = new Set(action.ids);
      const removed = state.cells.flatMap((cell, index) => (ids.has(cell.id) ? [{ cell, index }] : []));
      const first = removed[0];
      if (!first) return state;
      const left = state.cells.filter((c) => !ids.has(c.id));
      const cells = left.length > 0 ? left : [emptyCell("code", action.blankCellId)];
      const next = cells[Math.min(first.index, cells.length - 1)];
      const deleted = [...state.deleted, removed].slice(-UNDO_DEPTH);
      // The selection (and command-mode focus) moves to the cell that takes their place, as in Jupyter.
      const keepFocus = next && state.selectedId !== null && ids.has(state.selectedId) ? { focus: focusOn(state, next.id, "cell") } : {};
      return changed(state, cells, { selectedId: next?.id ?? null, selection: null, deleted, ...keepFocus });
    }
    case "undo-delete": {
      const last = state.deleted[state.deleted.length - 1];
      if (!last) return state;
      // Ids stay unique even if a cell with the same id came back some other way meanwhile.
      const present = new Set(state.cells.map((c) => c.id));
      const restored = last.filter(({ cell }) => !present.has(cell.id));
      const cells = [...state.cells];
      // In ascending order of their old places, each lands where it was.
      for (const { cell, index } of restored) cells.splice(Math.min(index, cells.length), 0, cell);
      const first = restored[0]?.cell;
      const lastRestored = restored[restored.length - 1]?.cell;
      const deleted = state.deleted.slice(0, -1);
      if (!first || !lastRestored) return { ...state, deleted };
      const selection = restored.length > 1 ? { anchor: first.id, head: lastRestored.id } : null;
      return changed(state, cells, { selectedId: first.id, selection, deleted, focus: focusOn(state, first.id, "cell") });
    }
    case "paste": {
      const taken = new Set(state.cells.map((c) => c.id));
      const pasted = action.cells.filter((c) => !taken.has(c.id) && (taken.add(c.id), true));
      const first = pasted[0];
      const last = pasted[pasted.length - 1];
      if (!first || !last) return state;
      const active = state.cells.findIndex((c) => c.id === state.selectedId);
      const at = active < 0 ? state.cells.length : action.above ? active : active + 1;
      const cells = [...state.cells.slice(0, at), ...pasted, ...state.cells.slice(at)];
      const selection = pasted.length > 1 ? { anchor: first.id, head: last.id } : null;
      return changed(state, cells, { selectedId: last.id, selection, focus: focusOn(state, last.id, "cell") });
    }
    case "merge": {
      const active = state.cells.findIndex((c) => c.id === state.selectedId);
      const primary = state.cells[active];
      if (!primary) return state;
      const chosen = selectedCells(state);
      // One cell alone merges with the next, as in JupyterLab.
      const merging = chosen.length > 1 ? chosen : state.cells.slice(active, active + 2);
      if (merging.length < 2) return state;
      const ids = new Set(merging.map((c) => c.id));
      const at = state.cells.findIndex((c) => ids.has(c.id));
      const merged = mergedCell(primary, merging, action.newId);
      const cells = state.cells.filter((c) => !ids.has(c.id));
      cells.splice(at, 0, merged);
      return changed(state, cells, { selectedId: merged.id, selection: null, focus: focusOn(state, merged.id, "cell") });
    }
    case "split": {
      const index = state.cells.findIndex((c) => c.id === action.id);
      const cell = state.cells[index];
      const taken = new Set(state.cells.map((c) => c.id));
      if (!cell || action.newIds.some((id) => taken.has(id)) || new Set(action.newIds).size !== action.newIds.length) return state;
      const split = splitCell(cell, action.ranges, action.newIds);
      if (!split) return state;
      const activeId = split.pieces[split.active]!.id;
      const cells = [...state.cells.slice(0, index), ...split.pieces, ...state.cells.slice(index + 1)];
      return changed(state, cells, { selectedId: activeId, selection: null, focus: focusOn(state, activeId, "editor") });
    }
    case "move": {
      const from = state.cells.findIndex((c) => c.id === action.id);
      const to = from + action.delta;
      const moving = state.cells[from];
      if (from < 0 || to < 0 || to >= state.cells.length || !moving) return state;
      const cells = state.cells.filter((c) => c.id !== action.id);
      cells.splice(to, 0, moving);
      return changed(state, cells);
    }
    case "set-kind": {
      if (state.cells.find((c) => c.id === action.id)?.kind === action.kind && action.source === undefined) return state;
      // A new id remounts the cell, so its editor picks up the new language.
      const cells = mapCell(state, action.id, (cell) => ({ ...emptyCell(action.kind, action.newId, action.source ?? cell.source), metadata: cell.metadata }));
      if (state.selectedId !== action.id) return changed(state, cells);
      return changed(state, cells, { selectedId: action.newId, focus: focusOn(state, action.newId, "cell") });
    }
    case "set-metadata":
      return changed(
        state,
        mapCell(state, action.id, (cell) => ({ ...cell, metadata: action.metadata })),
      );
    case "add-attachment":
      return changed(
        state,
        mapCell(state, action.id, (cell) => (cell.kind === "code" ? cell : { ...cell, attachments: { ...cell.attachments, [action.name]: action.bundle } })),
      );
    case "clear-outputs":
      return changed(
        state,
        state.cells.map((cell) =>
          cell.kind === "code" && (action.id === null || cell.id === action.id) ? { ...cell, outputs: [], clearPending: false, executionCount: null } : cell,
        ),
      );
    case "set-editing":
      return {
        ...state,
        cells: mapCell(state, action.id, (cell) => (cell.kind === "markdown" ? { ...cell, editing: action.editing } : cell)),
        focus: action.editing ? focusOn(state, action.id) : state.focus,
      };
    case "execute-start":
      return executed(
        state,
        action.remote,
        mapCode(state, action.id, (cell) => ({
          ...withoutExecutionTime(cell),
          outputs: [],
          clearPending: false,
          executionCount: null,
          running: true,
          input: null,
        })),
      );
    case "execute-events":
      return executed(
        state,
        action.remote,
        mapCode(state, action.id, (cell) => action.events.reduce(applyCellEvent, cell)),
      );
    case "execute-end":
      return executed(
        state,
        action.remote,
        mapCode(state, action.id, (cell) => ({
          ...withExecutionTime(cell, EXECUTION_ENDED, action.at),
          running: false,
          input: null,
          executionCount: action.executionCount ?? cell.executionCount,
        })),
      );
    case "input-request":
      return { ...state, cells: mapCode(state, action.id, (cell) => ({ ...cell, input: action.request })) };
    case "input-answered": {
      const asked = state.cells.find((cell) => cell.kind === "code" && cell.input?.id === action.inputId);
      if (asked?.kind !== "code" || !asked.input) return state;
      return executed(
        state,
        asked.input.remote,
        mapCode(state, asked.id, (cell) => answeredInput(cell, action.value)),
      );
    }
    case "executions-cancelled":
      return { ...state, cells: state.cells.map((cell) => (cell.kind === "code" && cell.running ? { ...cell, running: false, input: null } : cell)) };
    case "saved":
      return { ...state, savedRevision: action.revision };
  }
}
