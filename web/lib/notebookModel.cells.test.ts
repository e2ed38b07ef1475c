// Cells in bulk (issue #16): selection ranges, delete and undo of several cells, paste, merge, split.

import assert from "node:assert/strict";
import { test } from "node:test";
import { readNotebook } from "../../contracts/notebook";
import { CellClipboard } from "./cellClipboard";
import { runCellsCommand } from "./cellsCommands";
import { initialNotebookState, notebookReducer, selectedCells, toNotebook, type NotebookAction, type NotebookState } from "./notebookModel";

const ids = () => {
  let n = 0;
  return () => `id${++n}`;
};

const output = (text: string) => ({ output_type: "stream", name: "stdout", text });

/** Five cells: code a (printed "A"), markdown b (with an attachment), code c (printed "C"), code d, raw e. */
function fiveCells(): NotebookState {
  const notebook = readNotebook(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "code", metadata: { tags: ["first"] }, source: "a", execution_count: 1, outputs: [output("A")] },
        { cell_type: "markdown", metadata: {}, source: "b", attachments: { "p.png": { "image/png": "iVBOR" } } },
        { cell_type: "code", metadata: {}, source: "c1\n\nc2", execution_count: 2, outputs: [output("C")] },
        { cell_type: "code", metadata: {}, source: "d", execution_count: null, outputs: [] },
        { cell_type: "raw", metadata: {}, source: "e" },
      ],
    },
    ids(),
  );
  return notebookReducer(initialNotebookState, { type: "load", notebook, blankCellId: "blank" });
}

const apply = (state: NotebookState, ...actions: NotebookAction[]) => actions.reduce(notebookReducer, state);
const sources = (state: NotebookState) => state.cells.map((c) => c.source);
const selected = (state: NotebookState) => selectedCells(state).map((c) => c.source);

function assertUniqueIds(state: NotebookState): void {
  const all = state.cells.map((c) => c.id);
  assert.equal(new Set(all).size, all.length, `ids are unique: ${all.join()}`);
}

/** A clipboard on a storage of its own, as a browser's localStorage shared by its tabs. */
function clipboardOnStorage(): CellClipboard {
  const items = new Map<string, string>();
  return new CellClipboard(() => ({ getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) }));
}

test("Shift-J/K extend the selection from the active cell and shrink it when turning back; a plain select collapses it", () => {
  let state = apply(fiveCells(), { type: "select", id: "id2" });
  const run = (command: Parameters<typeof runCellsCommand>[0]) => runCellsCommand(command, state, (a) => (state = notebookReducer(state, a)));
  run("extend-below");
  run("extend-below");
  assert.deepEqual(selected(state), ["b", "c1\n\nc2", "d"]);
  assert.equal(state.selectedId, "id4", "the head is the active cell");
  run("extend-above");
  assert.deepEqual(selected(state), ["b", "c1\n\nc2"]);
  run("extend-above");
  run("extend-above");
  assert.deepEqual(selected(state), ["a", "b"], "past the anchor the range grows the other way");
  run("extend-above");
  assert.deepEqual(selected(state), ["a", "b"], "nothing above the first cell");
  state = apply(state, { type: "select", id: "id3" });
  assert.deepEqual(selected(state), ["c1\n\nc2"]);
  run("select-all");
  assert.equal(selected(state).length, 5);
  assert.equal(state.selectedId, "id3", "Ctrl-A keeps the active cell");
  state = apply(state, { type: "extend-selection", to: "id5" });
  assert.deepEqual(selected(state), ["a", "b", "c1\n\nc2", "d", "e"], "Shift-click extends from the anchor of the range");
});

test("D D deletes every selected cell; Z brings them all back in their places", () => {
  let state = apply(fiveCells(), { type: "select", id: "id2" }, { type: "extend-selection", to: "id4" });
  runCellsCommand("delete", state, (a) => (state = notebookReducer(state, a)));
  assert.deepEqual(sources(state), ["a", "e"]);
  assert.equal(state.selectedId, "id5", "the cell after them is selected");
  state = apply(state, { type: "delete", ids: ["id1"], blankCellId: "blank" }, { type: "undo-delete" });
  assert.deepEqual(sources(state), ["a", "e"]);
  state = apply(state, { type: "undo-delete" });
  assert.deepEqual(sources(state), ["a", "b", "c1\n\nc2", "d", "e"]);
  assert.deepEqual(selected(state), ["b", "c1\n\nc2", "d"], "the restored cells are the selection");
  assertUniqueIds(state);

  // Ctrl-A, D D: a blank code cell is left to type in; Z brings the five back beside it.
  runCellsCommand("select-all", state, (a) => (state = notebookReducer(state, a)));
  runCellsCommand("delete", state, (a) => (state = notebookReducer(state, a)));
  assert.deepEqual(
    state.cells.map((c) => [c.kind, c.source]),
    [["code", ""]],
  );
  state = apply(state, { type: "undo-delete" });
  assert.deepEqual(sources(state), ["a", "b", "c1\n\nc2", "d", "e", ""]);
  assertUniqueIds(state);
});

test("cut, then paste twice below and above: the pasted cells keep type, metadata and outputs but get new ids", () => {
  const clipboard = clipboardOnStorage();
  let state = apply(fiveCells(), { type: "select", id: "id1" }, { type: "extend-selection", to: "id2" });
  const run = (command: Parameters<typeof runCellsCommand>[0]) => runCellsCommand(command, state, (a) => (state = notebookReducer(state, a)), clipboard);
  run("cut");
  assert.deepEqual(sources(state), ["c1\n\nc2", "d", "e"]);
  run("paste-below");
  run("paste-below");
  assert.deepEqual(sources(state), ["c1\n\nc2", "a", "b", "a", "b", "d", "e"]);
  assert.deepEqual(selected(state), ["a", "b"], "the last pasted cells are selected");
  assert.equal(state.selectedId, state.cells[4]!.id);
  state = apply(state, { type: "select", id: "id5" });
  run("paste-above");
  assert.deepEqual(sources(state), ["c1\n\nc2", "a", "b", "a", "b", "d", "a", "b", "e"]);
  assertUniqueIds(state);
  const pasted = toNotebook(state).cells[1]!;
  assert.deepEqual(pasted.cell_type === "code" && [pasted.metadata, pasted.outputs, pasted.execution_count], [{ tags: ["first"] }, [output("A")], 1]);
  const markdown = toNotebook(state).cells[2]!;
  assert.deepEqual(markdown.cell_type === "markdown" && markdown.attachments, { "p.png": { "image/png": "iVBOR" } });
  // Z after a cut brings the cut cells back too, without clashing with their pasted copies.
  state = apply(state, { type: "undo-delete" });
  assert.equal(state.cells.length, 11);
  assertUniqueIds(state);
});

test("copy in one notebook, paste in another through the shared storage", () => {
  const clipboard = clipboardOnStorage();
  let first = apply(fiveCells(), { type: "select", id: "id3" });
  runCellsCommand("copy", first, (a) => (first = notebookReducer(first, a)), clipboard);
  assert.equal(first.cells.length, 5, "copy leaves the cells");
  let other = fiveCells();
  runCellsCommand("paste-below", other, (a) => (other = notebookReducer(other, a)), clipboard);
  assert.deepEqual(sources(other), ["a", "c1\n\nc2", "b", "c1\n\nc2", "d", "e"]);
  assertUniqueIds(other);
});

test("a clipboard holding something other than nbformat cells pastes nothing", () => {
  for (const junk of ["not json", '{"cells": []}', '[{"cell_type": "sheet", "source": "x"}]']) {
    const clipboard = new CellClipboard(() => ({ getItem: () => junk, setItem: () => {} }));
    assert.deepEqual(clipboard.read(ids()), [], junk);
  }
  const empty = new CellClipboard(() => undefined);
  assert.deepEqual(empty.read(ids()), []);
});

test("storage that refuses the copy (full) still lets this page paste it", () => {
  const clipboard = new CellClipboard(() => ({
    getItem: () => null,
    setItem: () => {
      throw new DOMException("full", "QuotaExceededError");
    },
  }));
  clipboard.write(fiveCells().cells.slice(0, 1));
  assert.deepEqual(
    clipboard.read(ids()).map((c) => [c.id, c.source]),
    [["id1", "a"]],
  );
});

test("Shift-M merges the selection into one cell of the active cell's type, as JupyterLab: sources joined, outputs dropped", () => {
  // Selected from the third cell up: the first is the active one.
  let state = apply(fiveCells(), { type: "select", id: "id3" }, { type: "extend-selection", to: "id1" }, { type: "merge", newId: "m" });
  assert.deepEqual(sources(state), ["a\n\nb\n\nc1\n\nc2", "d", "e"]);
  const merged = state.cells[0]!;
  assert.ok(merged.kind === "code");
  assert.deepEqual([merged.id, merged.metadata, merged.outputs, merged.executionCount], ["m", { tags: ["first"] }, [], null]);
  assert.equal(state.selectedId, "m");
  assertUniqueIds(state);
  // The active cell decides: a markdown cell merged with the cell below stays markdown and keeps attachments.
  state = apply(fiveCells(), { type: "select", id: "id2" }, { type: "merge", newId: "m2" });
  assert.deepEqual(sources(state), ["a", "b\n\nc1\n\nc2", "d", "e"]);
  const text = state.cells[1]!;
  assert.ok(text.kind === "markdown" && text.editing);
  assert.deepEqual(text.attachments, { "p.png": { "image/png": "iVBOR" } });
  // The last cell has nothing below to merge with.
  const last = apply(fiveCells(), { type: "select", id: "id5" });
  assert.equal(notebookReducer(last, { type: "merge", newId: "m3" }), last);
});

test("Ctrl-Shift-Minus splits at the cursor or around the selected text; the last code piece keeps the outputs", () => {
  let state = apply(fiveCells(), { type: "split", id: "id3", ranges: [{ from: 2, to: 2 }], newIds: ["s1", "s2", "s3"] });
  assert.deepEqual(sources(state), ["a", "b", "c1", "c2", "d", "e"], "the blank lines at the cut go");
  const [top, bottom] = [state.cells[2]!, state.cells[3]!];
  assert.ok(top.kind === "code" && bottom.kind === "code");
  assert.deepEqual([top.id, top.outputs, top.executionCount], ["s1", [], null]);
  assert.deepEqual([bottom.id, bottom.outputs, bottom.executionCount], ["s2", [output("C")], 2]);
  assert.deepEqual([state.selectedId, state.focus?.cellId, state.focus?.target], ["s2", "s2", "editor"], "editing goes on below the cut");
  assertUniqueIds(state);

  state = apply(fiveCells(), { type: "split", id: "id5", ranges: [{ from: 1, to: 0 }], newIds: ["r1", "r2", "r3"] });
  assert.deepEqual(sources(state), ["a", "b", "c1\n\nc2", "d", "", "e", ""], "a selection becomes a cell of its own");
  assert.equal(state.selectedId, "r2", "the selected text's cell is active");
  assert.deepEqual(
    state.cells.slice(4).map((c) => c.kind),
    ["raw", "raw", "raw"],
  );

  const before = fiveCells();
  assert.equal(
    notebookReducer(before, { type: "split", id: "id1", ranges: [{ from: 0, to: 0 }], newIds: ["id2", "x", "y"] }),
    before,
    "ids already taken are refused",
  );
  assert.equal(notebookReducer(before, { type: "split", id: "id1", ranges: [], newIds: ["x"] }), before);
});
