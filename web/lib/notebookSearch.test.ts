import assert from "node:assert/strict";
import { test } from "node:test";
import { findInSources, findInText, replaceMatches } from "./notebookSearch";

const cells = [
  { id: "a", source: "const energy = 12.4;\nEnergy(energy)" },
  { id: "b", source: "no match" },
  { id: "c", source: "energy.toFixed(1) // (energy)" },
];

test("matches every cell's source in order, ignoring case unless asked", () => {
  assert.deepEqual(
    findInSources(cells, "energy", { caseSensitive: false }).map((m) => [m.cellId, m.from]),
    [
      ["a", 6],
      ["a", 21],
      ["a", 28],
      ["c", 0],
      ["c", 22],
    ],
  );
  assert.equal(findInSources(cells, "Energy", { caseSensitive: true }).length, 1);
  assert.deepEqual(findInText("x", "", { caseSensitive: false }), [], "an empty query matches nothing");
});

test("the query is text, not a pattern; offsets stay exact where lower-casing changes lengths", () => {
  assert.deepEqual(findInText("a.b a*b (x)", "(x)", { caseSensitive: false }), [{ from: 8, to: 11 }]);
  assert.deepEqual(findInText("a.b axb", ".", { caseSensitive: false }), [{ from: 1, to: 2 }]);
  assert.deepEqual(findInText("İx ix", "ix", { caseSensitive: false }), [{ from: 3, to: 5 }]);
});

test("replacing keeps the text between matches and takes the replacement literally", () => {
  const text = cells[0]!.source;
  const matches = findInText(text, "energy", { caseSensitive: false });
  assert.equal(replaceMatches(text, matches, "$&E"), "const $&E = 12.4;\n$&E($&E)");
  assert.equal(replaceMatches(text, matches.slice(1, 2), "keV"), "const energy = 12.4;\nkeV(energy)");
  assert.equal(replaceMatches(text, [], "keV"), text);
});
