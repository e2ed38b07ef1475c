import assert from "node:assert/strict";
import { test } from "node:test";
import { asHttpError } from "../../server/http/errors.ts";
import { normalizeContentsPath } from "../../server/contents/paths.ts";

test("contents paths are normalised to slash-separated relative paths", () => {
  assert.equal(normalizeContentsPath(""), "");
  assert.equal(normalizeContentsPath("/"), "");
  assert.equal(normalizeContentsPath("/scans/run%201.ipynb"), "scans/run 1.ipynb");
  assert.equal(normalizeContentsPath("a/b/"), "a/b");
});

test("paths that could leave the root are refused, not normalised", () => {
  for (const p of [
    "..",
    "../x",
    "a/../../b",
    "%2e%2e/x",
    "a/%2E%2e",
    "a/%252e%252e/b",
    "a//b",
    "./a",
    "a\\..\\b",
    "a%00b",
    "%2F..%2Fetc",
    "a/%252fb",
    "%E0%A4%A",
  ]) {
    assert.throws(
      () => normalizeContentsPath(p),
      (e: unknown) => asHttpError(e)?.status === 400,
      p,
    );
  }
});
