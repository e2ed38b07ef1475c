import assert from "node:assert/strict";
import { test } from "node:test";
import { toCodePointOffset, toJsIndex } from "./codePoints";

test("offsets convert between UTF-16 indices and code points, both ways", () => {
  const text = "a😀b.c";
  assert.equal(toCodePointOffset(text, 0), 0);
  assert.equal(toCodePointOffset(text, 3), 2, "the emoji is two UTF-16 units and one code point");
  assert.equal(toCodePointOffset(text, text.length), 5);
  for (const i of [0, 1, 3, 4, 5, 6]) assert.equal(toJsIndex(text, toCodePointOffset(text, i)), i);
  assert.equal(toJsIndex("plain", 3), 3);
});
