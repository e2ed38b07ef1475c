import assert from "node:assert/strict";
import { test } from "node:test";
import { readRequestPath } from "../../server/http/request-path.ts";

test("plain paths are decoded once and kept as sent", () => {
  assert.deepEqual(readRequestPath("/notebooks/a%20b.ipynb?x=%2e%2e"), { kind: "ok", path: "/notebooks/a b.ipynb" });
  assert.deepEqual(readRequestPath("/_next/static/chunks/x.js"), { kind: "ok", path: "/_next/static/chunks/x.js" });
  assert.deepEqual(readRequestPath("/api/contents/a.b..c"), { kind: "ok", path: "/api/contents/a.b..c" }, "dots inside a name are not dot segments");
  assert.deepEqual(readRequestPath("//_next//static/x"), { kind: "ok", path: "//_next//static/x" }, "repeated slashes pass as sent");
});

test("paths that two readers could resolve differently are refused, each with its reason", () => {
  const refused: [string, RegExp][] = [
    ["/_next/static/../../notebooks/x.ipynb", /dot segments/],
    ["/_next/static/%2e%2e/%2E%2E/notebooks/x", /dot segments/],
    ["/_next/static/.%2e/notebooks/x", /dot segments/],
    ["/_next/static/./x", /dot segments/],
    ["/_next/static/..", /dot segments/],
    ["/_next/static/..%2f..%2fnotebooks/x", /encoded slashes/],
    ["/_next/static/..%2F..%2Fnotebooks/x", /encoded slashes/],
    ["/_next/static/..%5c..%5cnotebooks", /encoded slashes/],
    ["/_next/static/..\\..\\notebooks", /backslashes/],
    ["/_next/static/%252e%252e/notebooks", /doubly encoded/],
    ["/_next/static/..%252fnotebooks", /doubly encoded/],
    ["/_next/static/%e0%a4%a", /malformed/],
    ["/_next/static/%00/x", /control characters/],
    ["http://other.example/notebooks/x", /starting with \//],
    ["*", /starting with \//],
  ];
  for (const [url, reason] of refused) {
    const result = readRequestPath(url);
    assert.equal(result.kind, "refused", url);
    assert.match(result.kind === "refused" ? result.reason : "", reason, url);
  }
});
