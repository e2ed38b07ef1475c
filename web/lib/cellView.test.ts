import assert from "node:assert/strict";
import { test } from "node:test";
import { asHeading, isHidden, withHidden } from "./cellView";
import { emptyCell } from "./notebookModel";

test("hiding outputs sets jupyter.outputs_hidden and collapsed; showing drops both", () => {
  const cell = { ...emptyCell("code", "c1"), metadata: { tags: ["x"] } };
  const hidden = { ...cell, metadata: withHidden(cell, "outputs", true) };
  assert.deepEqual(hidden.metadata, { tags: ["x"], jupyter: { outputs_hidden: true }, collapsed: true });
  assert.equal(isHidden(hidden, "outputs"), true);
  assert.equal(isHidden(hidden, "source"), false);
  const both = { ...hidden, metadata: withHidden(hidden, "source", true) };
  assert.deepEqual(both.metadata, { tags: ["x"], jupyter: { outputs_hidden: true, source_hidden: true }, collapsed: true });
  assert.deepEqual(withHidden({ ...both, metadata: withHidden(both, "outputs", false) }, "source", false), { tags: ["x"] });
});

test("1–6 make the first line a heading of that level, replacing an existing one", () => {
  assert.equal(asHeading("Results\nmore", 2), "## Results\nmore");
  assert.equal(asHeading("### Old", 1), "# Old");
  assert.equal(asHeading("", 6), "###### ");
});
