import assert from "node:assert/strict";
import { test } from "node:test";
import { readNotebook as parseNotebook } from "../../contracts/notebook";
import { emptyCell, executionSeconds, initialNotebookState, isDirty, notebookReducer, toNotebook } from "./notebookModel";

const ids = () => {
  let n = 0;
  return () => `id${++n}`;
};

const file = {
  nbformat: 4,
  nbformat_minor: 4,
  metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } },
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# Title\n", "text"] },
    {
      cell_type: "code",
      metadata: { tags: ["x"] },
      source: "1 + 1",
      execution_count: 2,
      outputs: [{ output_type: "execute_result", execution_count: 2, data: { "text/plain": ["2"] }, metadata: {} }],
    },
  ],
};

test("a loaded notebook saves back as normalized nbformat 4.5 with cell ids", () => {
  const state = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(file, ids()), blankCellId: "blank" });
  assert.equal(isDirty(state), false);
  assert.deepEqual(toNotebook(state), {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } },
    cells: [
      { id: "id1", cell_type: "markdown", metadata: {}, source: "# Title\ntext" },
      {
        id: "id2",
        cell_type: "code",
        metadata: { tags: ["x"] },
        source: "1 + 1",
        execution_count: 2,
        outputs: [{ output_type: "execute_result", execution_count: 2, data: { "text/plain": "2" }, metadata: {} }],
      },
    ],
  });
});

test("an empty notebook opens with one blank code cell and is not dirty", () => {
  const state = notebookReducer(initialNotebookState, {
    type: "load",
    notebook: parseNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }, ids()),
    blankCellId: "blank",
  });
  assert.deepEqual(
    state.cells.map((c) => [c.id, c.kind]),
    [["blank", "code"]],
  );
  assert.equal(isDirty(state), false);
});

test("edits make the notebook dirty until the revision that was saved", () => {
  let state = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(file, ids()), blankCellId: "blank" });
  state = notebookReducer(state, { type: "edit", id: "id2", source: "2 + 2" });
  const saving = state.revision;
  state = notebookReducer(state, { type: "insert", afterId: "id2", cell: emptyCell("code", "new") });
  state = notebookReducer(state, { type: "saved", revision: saving });
  assert.equal(isDirty(state), true, "a change made while saving is still unsaved");
  state = notebookReducer(state, { type: "saved", revision: state.revision });
  assert.equal(isDirty(state), false);
});

test("running shows [*], clears old outputs, then takes the reply count", () => {
  let state = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(file, ids()), blankCellId: "blank" });
  state = notebookReducer(state, { type: "execute-start", id: "id2" });
  const running = state.cells[1];
  assert.ok(running?.kind === "code" && running.running && running.outputs.length === 0 && running.executionCount === null);
  state = notebookReducer(state, { type: "execute-events", id: "id2", events: [{ kind: "execute-input", executionCount: 5, at: "2026-01-01T00:00:00.000Z" }] });
  state = notebookReducer(state, { type: "execute-end", id: "id2", executionCount: 5, at: "2026-01-01T00:00:01.250Z" });
  const done = state.cells[1]!;
  assert.ok(done.kind === "code" && !done.running && done.executionCount === 5);
  assert.equal(executionSeconds(done), 1.25);
  assert.deepEqual(toNotebook(state).cells[1]!.metadata.execution, {
    "iopub.execute_input": "2026-01-01T00:00:00.000Z",
    "shell.execute_reply": "2026-01-01T00:00:01.250Z",
  });
  state = notebookReducer(state, { type: "execute-start", id: "id2" });
  assert.equal(executionSeconds(state.cells[1]!), null, "a new run forgets the old timing");
});

test("deleted cells come back in their place, most recent first", () => {
  let state = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(file, ids()), blankCellId: "blank" });
  state = notebookReducer(state, { type: "select", id: "id1" });
  state = notebookReducer(state, { type: "delete", ids: ["id1"], blankCellId: "blank" });
  assert.equal(state.selectedId, "id2");
  assert.deepEqual([state.focus?.cellId, state.focus?.target], ["id2", "cell"]);
  state = notebookReducer(state, { type: "delete", ids: ["id2"], blankCellId: "blank" });
  assert.deepEqual(
    state.cells.map((c) => c.id),
    ["blank"],
    "the last delete leaves a blank cell",
  );
  state = notebookReducer(state, { type: "undo-delete" });
  state = notebookReducer(state, { type: "undo-delete" });
  assert.deepEqual(
    state.cells.map((c) => c.id),
    ["id1", "id2", "blank"],
  );
  assert.equal(notebookReducer(state, { type: "undo-delete" }), state, "nothing left to undo");
});

test("files that are not nbformat 4 notebooks are refused with a reason", () => {
  assert.throws(() => parseNotebook({ nbformat: 3, cells: [] }, ids()), /nbformat 4/);
  assert.throws(
    () => parseNotebook({ nbformat: 4, cells: [{ cell_type: "code", source: 1 }] }, ids()),
    /cells\[0\]\.source: must be a string or a list of strings/,
  );
  assert.throws(
    () => parseNotebook({ nbformat: 4, cells: [{ cell_type: "code", source: "", outputs: [{ output_type: "weird" }] }] }, ids()),
    /cells\[0\]\.outputs\[0\]\.output_type: unknown output_type "weird"/,
  );
});

test("a move by any number of places (a drag) keeps the cell with its outputs and makes the notebook dirty", () => {
  const three = { ...file, cells: [...file.cells, { cell_type: "raw", metadata: {}, source: "last" }] };
  const loaded = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(three, ids()), blankCellId: "blank" });
  const moved = notebookReducer(loaded, { type: "move", id: "id3", delta: -2 });
  assert.deepEqual(
    moved.cells.map((c) => c.id),
    ["id3", "id1", "id2"],
  );
  assert.deepEqual(toNotebook(moved).cells[2], toNotebook(loaded).cells[1]);
  assert.equal(isDirty(moved), true);
  assert.equal(notebookReducer(loaded, { type: "move", id: "id1", delta: -1 }), loaded, "out of range: unchanged");
});

test("an answered input() prompt stays as a stdout line, a password masked, and the prompt goes away", () => {
  const loaded = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(file, ids()), blankCellId: "blank" });
  const started = notebookReducer(loaded, { type: "execute-start", id: "id2" });
  const answer = (password: boolean) => {
    const asked = notebookReducer(started, {
      type: "input-request",
      id: "id2",
      request: { id: "input-1", prompt: "Key: ", password, remote: false, reply: () => {} },
    });
    const cell = notebookReducer(asked, { type: "input-answered", inputId: "input-1", value: "abc" }).cells[1];
    assert.ok(cell?.kind === "code");
    assert.equal(cell.input, null);
    return cell.outputs;
  };
  assert.deepEqual(answer(false), [{ output_type: "stream", name: "stdout", text: "Key: abc\n" }]);
  assert.deepEqual(answer(true), [{ output_type: "stream", name: "stdout", text: "Key: ········\n" }]);
});

test("clear-outputs empties one code cell or all of them, with their execution counts, and marks the notebook dirty", () => {
  const two = { ...file, cells: [...file.cells, { ...file.cells[1]!, source: "2 + 2" }] };
  const state = notebookReducer(initialNotebookState, { type: "load", notebook: parseNotebook(two, ids()), blankCellId: "blank" });
  const one = notebookReducer(state, { type: "clear-outputs", id: "id2" });
  assert.equal(isDirty(one), true);
  assert.deepEqual(
    toNotebook(one).cells.map((c) => (c.cell_type === "code" ? [c.outputs.length, c.execution_count] : null)),
    [null, [0, null], [1, 2]],
  );
  const all = notebookReducer(state, { type: "clear-outputs", id: null });
  assert.deepEqual(
    toNotebook(all).cells.map((c) => (c.cell_type === "code" ? [c.outputs.length, c.execution_count] : null)),
    [null, [0, null], [0, null]],
  );
});
