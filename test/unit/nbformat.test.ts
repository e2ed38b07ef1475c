import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidNotebookError, emptyNotebook, parseNotebook } from "../../contracts/notebook.ts";

const kernel = { name: "lightbook-ts", display_name: "TypeScript (Lightbook)", language: "typescript" };

test("an nbformat 4.5 notebook with every output type is accepted", () => {
  const nb = {
    ...emptyNotebook(kernel),
    cells: [
      { id: "a", cell_type: "markdown", metadata: {}, source: ["# t\n", "x"] },
      { id: "b", cell_type: "raw", metadata: {}, source: "" },
      {
        id: "c",
        cell_type: "code",
        metadata: { collapsed: false },
        source: "1",
        execution_count: 3,
        outputs: [
          { output_type: "stream", name: "stderr", text: ["a\n", "b"] },
          {
            output_type: "execute_result",
            execution_count: 3,
            data: { "text/plain": "1", "application/vnd.vegalite.v5+json": { mark: "line" } },
            metadata: {},
          },
          { output_type: "display_data", data: { "image/png": "iVBOR" }, metadata: { "image/png": { width: 4 } } },
          { output_type: "error", ename: "Error", evalue: "x", traceback: ["l1"] },
        ],
      },
    ],
  };
  assert.deepEqual(parseNotebook(nb), nb);
});

test("errors name the offending field", () => {
  const base = emptyNotebook(kernel);
  const cases: [unknown, RegExp][] = [
    [{ ...base, nbformat: 3 }, /nbformat/],
    [{ ...base, cells: [{ cell_type: "code", metadata: {}, source: "", outputs: [], execution_count: null }] }, /cells\[0\]\.id: required since nbformat 4.5/],
    [
      {
        ...base,
        cells: [
          { id: "a", cell_type: "code", metadata: {}, source: "", outputs: [{ output_type: "stream", name: "stdlog", text: "" }], execution_count: null },
        ],
      },
      /cells\[0\]\.outputs\[0\]\.name/,
    ],
    [{ ...base, cells: [{ id: "bad id", cell_type: "markdown", metadata: {}, source: "" }] }, /cells\[0\]\.id/],
    [
      {
        ...base,
        cells: [
          {
            id: "a",
            cell_type: "code",
            metadata: {},
            source: "",
            outputs: [{ output_type: "display_data", data: { "text/plain": { a: 1 } }, metadata: {} }],
            execution_count: null,
          },
        ],
      },
      /cells\[0\]\.outputs\[0\]\.data\.text\/plain: must be text/,
    ],
    [
      { ...base, cells: [{ id: "a", cell_type: "code", metadata: {}, source: "", outputs: [{ output_type: "pyout" }], execution_count: null }] },
      /cells\[0\]\.outputs\[0\]\.output_type: unknown output_type "pyout"/,
    ],
    [{ ...base, extra: 1 }, /top level|extra/],
    ["not a notebook", /top level/],
  ];
  for (const [nb, message] of cases)
    assert.throws(
      () => parseNotebook(nb),
      (e: unknown) => e instanceof InvalidNotebookError && message.test(e.message),
      String(message),
    );
});
