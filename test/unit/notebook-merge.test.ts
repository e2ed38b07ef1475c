import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeNotebooks, sameNotebook } from "../../contracts/notebook-merge.ts";

type C = { id?: string; cell_type: string; metadata: Record<string, unknown>; source: string | string[]; outputs?: unknown[]; execution_count?: number | null };
const code = (id: string, source: string | string[], extra: Partial<C> = {}): C => ({
  id,
  cell_type: "code",
  metadata: {},
  source,
  outputs: [],
  execution_count: null,
  ...extra,
});
const nb = (...cells: C[]) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
const sourcesOf = (n: { cells: readonly { id?: string; source: unknown }[] }) => n.cells.map((c) => [c.id, c.source]);

test("edits of different cells both land", () => {
  const base = nb(code("a", "1"), code("b", "2"));
  const { merged, conflicts } = mergeNotebooks(base, nb(code("a", "10"), code("b", "2")), nb(code("a", "1"), code("b", "20")));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(sourcesOf(merged), [
    ["a", "10"],
    ["b", "20"],
  ]);
});

test("the same field of the same cell changed on both sides is a conflict naming the cell and the field", () => {
  const base = nb(code("a", "1"));
  const { conflicts } = mergeNotebooks(base, nb(code("a", "2")), nb(code("a", "3")));
  assert.deepEqual(conflicts, [{ cell_id: "a", what: ["source"] }]);
  // The same change on both sides is no conflict.
  assert.deepEqual(mergeNotebooks(base, nb(code("a", "2")), nb(code("a", "2"))).conflicts, []);
});

test("a cell's new outputs merge with an edit of its source", () => {
  const base = nb(code("a", "print(1)"));
  const outputs = [{ output_type: "stream", name: "stdout", text: "1\n" }];
  const { merged, conflicts } = mergeNotebooks(base, nb(code("a", "print(2)")), nb(code("a", "print(1)", { outputs, execution_count: 1 })));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(merged.cells[0], code("a", "print(2)", { outputs, execution_count: 1 }));
});

test("a deletion against an edit conflicts; a deletion against nothing deletes", () => {
  const base = nb(code("a", "1"), code("b", "2"));
  assert.deepEqual(mergeNotebooks(base, nb(code("b", "2")), nb(code("a", "9"), code("b", "2"))).conflicts, [{ cell_id: "a", what: ["deleted", "source"] }]);
  const { merged, conflicts } = mergeNotebooks(base, nb(code("b", "2")), nb(code("a", "1"), code("b", "20")));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(sourcesOf(merged), [["b", "20"]]);
});

test("cells inserted on each side keep their place after the cell they follow", () => {
  const base = nb(code("a", "1"), code("b", "2"));
  const { merged, conflicts } = mergeNotebooks(base, nb(code("a", "1"), code("x", "x"), code("b", "2")), nb(code("a", "1"), code("b", "2"), code("y", "y")));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(
    merged.cells.map((c) => c.id),
    ["a", "x", "b", "y"],
  );
});

test("both sides reordering differently is an order conflict", () => {
  const base = nb(code("a", "1"), code("b", "2"), code("c", "3"));
  const { conflicts } = mergeNotebooks(base, nb(code("b", "2"), code("a", "1"), code("c", "3")), nb(code("a", "1"), code("c", "3"), code("b", "2")));
  assert.deepEqual(conflicts, [{ cell_id: null, what: ["order"] }]);
});

test("text as a list of lines equals the same text as one string", () => {
  assert.ok(sameNotebook(nb(code("a", ["x = 1\n", "y = 2"])), nb(code("a", "x = 1\ny = 2"))));
  assert.deepEqual(mergeNotebooks(nb(code("a", ["1\n", "2"])), nb(code("a", "1\n2")), nb(code("a", "3"))).conflicts, []);
});

test("cells without ids merge only when one side left them alone", () => {
  const noIds = (...s: string[]) => ({ ...nb(...s.map((x) => ({ ...code("", x), id: undefined }))), nbformat_minor: 4 });
  assert.deepEqual(mergeNotebooks(noIds("1"), noIds("1"), noIds("2")).conflicts, []);
  assert.deepEqual(mergeNotebooks(noIds("1"), noIds("3"), noIds("2")).conflicts, [{ cell_id: null, what: ["notebook"] }]);
});
