import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSelection, resolveSelection, SelectionError } from "../../server/h5grove/selection.ts";
import { thin, toJson } from "../../server/h5grove/values.ts";

test("parseSelection reads numpy indexing text as h5grove does", () => {
  assert.deepEqual(parseSelection("5"), [{ kind: "index", index: 5 }]);
  assert.deepEqual(parseSelection("0,:,:"), [
    { kind: "index", index: 0 },
    { kind: "slice", start: null, stop: null, step: null },
    { kind: "slice", start: null, stop: null, step: null },
  ]);
  assert.deepEqual(parseSelection(" 1:5 , ::2,-3"), [
    { kind: "slice", start: 1, stop: 5, step: null },
    { kind: "slice", start: null, stop: null, step: 2 },
    { kind: "index", index: -3 },
  ]);
  for (const bad of ["", "a", "1.5", "1:2:3:4", "::0", "::-1", "1,,2"]) assert.throws(() => parseSelection(bad), SelectionError, bad);
});

test("resolveSelection clamps slices and wraps negative indices like numpy", () => {
  const shape = [4, 10, 6];
  assert.deepEqual(resolveSelection(parseSelection("0"), shape), { box: [0, [0, 10], [0, 6]], steps: [1, 1], shape: [10, 6] });
  assert.deepEqual(resolveSelection(parseSelection("-1,2:9:3,-4:"), shape), { box: [3, [2, 9], [2, 6]], steps: [3, 1], shape: [3, 4] });
  assert.deepEqual(resolveSelection(parseSelection(":,:100,::4"), shape), {
    box: [
      [0, 4],
      [0, 10],
      [0, 5],
    ],
    steps: [1, 1, 4],
    shape: [4, 10, 2],
  });
  assert.deepEqual(resolveSelection(parseSelection("1,5:2"), shape).shape, [0, 6], "an empty slice, as numpy gives");
  assert.deepEqual(resolveSelection([], []), { box: [], steps: [], shape: [] }, "a scalar");
  assert.throws(() => resolveSelection(parseSelection("4"), shape), /index 4 is out of range for dimension 0 of size 4/);
  assert.throws(() => resolveSelection(parseSelection("0,0,0,0"), shape), /4 members, the dataset 3 dimensions/);
});

test("thin takes every step-th element of a C-order block", () => {
  const block = Uint16Array.from({ length: 3 * 7 }, (_, i) => i); // shape [3, 7]
  assert.deepEqual([...thin(block, [3, 7], [2, 3])], [0, 3, 6, 14, 17, 20]);
  assert.equal(thin(block, [3, 7], [1, 1]), block, "no copy without steps");
});

test("toJson nests by shape and writes 64-bit integers exactly and NaN as null", () => {
  assert.equal(toJson(BigInt64Array.from([2n ** 62n + 1n, -5n, 0n, 7n]), [2, 2], false), "[[4611686018427387905,-5],[0,7]]");
  assert.equal(toJson(Float64Array.from([1.5, Number.NaN, -Infinity]), [3], true), "[1.5,null,null]");
  assert.equal(toJson(Float32Array.from([2.5]), [], false), "2.5");
  assert.equal(toJson(Int8Array.from([1, 2, 3, 4, 5, 6]), [3, 2], true), "[1,2,3,4,5,6]");
});
