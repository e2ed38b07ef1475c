import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ContentsManager, ServerConnection } from "@jupyterlab/services";
import { rawRequest, startServer, type RunningServer } from "../support/server.ts";
import { serverSettings } from "../support/jupyter.ts";

function notebook(source: string, outputs: unknown[] = []) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } },
    cells: [{ id: "c1", cell_type: "code", metadata: {}, source, outputs, execution_count: outputs.length ? 1 : null }],
  };
}

describe("contents API through @jupyterlab/services", () => {
  let server: RunningServer;
  let contents: ContentsManager;
  let settings: ServerConnection.ISettings;

  before(async () => {
    server = await startServer({ web: false });
    settings = serverSettings(server);
    contents = new ContentsManager({ serverSettings: settings });
  });
  after(() => server.dispose());

  test("a new installation lists the demo notebook", async () => {
    const root = await contents.get("");
    assert.equal(root.type, "directory");
    const names = (root.content as { name: string }[]).map((c) => c.name);
    assert.ok(names.includes("Welcome.ipynb"), `root lists ${names.join(", ")}`);
    const welcome = await contents.get("Welcome.ipynb");
    assert.equal(welcome.type, "notebook");
    assert.equal(welcome.content.nbformat, 4);
  });

  test("new untitled notebooks are numbered as in Jupyter", async () => {
    const a = await contents.newUntitled({ type: "notebook" });
    const b = await contents.newUntitled({ type: "notebook" });
    assert.equal(a.path, "Untitled.ipynb");
    assert.equal(b.path, "Untitled1.ipynb");
    const nb = await contents.get(a.path);
    assert.equal(nb.content.metadata.kernelspec.name, "lightbook-ts");
  });

  test("save and reload keeps cells and outputs exactly", async () => {
    const outputs = [
      { output_type: "stream", name: "stdout", text: "hello\n" },
      { output_type: "execute_result", execution_count: 1, data: { "text/plain": "42" }, metadata: {} },
    ];
    const content = notebook("console.log('hello'); 42", outputs);
    const saved = await contents.save("analysis.ipynb", { type: "notebook", format: "json", content });
    assert.equal(saved.path, "analysis.ipynb");
    const reloaded = await contents.get("analysis.ipynb");
    assert.deepEqual(reloaded.content, content);
  });

  test("an invalid notebook is refused with a message naming the field, and the saved one is kept", async () => {
    const good = notebook("1 + 1");
    await contents.save("keep.ipynb", { type: "notebook", format: "json", content: good });
    const bad = { ...good, cells: [{ ...good.cells[0], outputs: [{ output_type: "stream", name: "stdout" }] }] };
    await assert.rejects(contents.save("keep.ipynb", { type: "notebook", format: "json", content: bad }), (e: ServerConnection.ResponseError) => {
      assert.equal(e.response.status, 400);
      assert.match(e.message, /cells\[0\]\.outputs\[0\]\.text/);
      return true;
    });
    await assert.rejects(contents.save("keep.ipynb", { type: "notebook", format: "json", content: { nbformat: 3, cells: [] } }), /nbformat/);
    assert.deepEqual((await contents.get("keep.ipynb")).content, good);
  });

  test("rename and delete", async () => {
    await contents.save("old.ipynb", { type: "notebook", format: "json", content: notebook("1") });
    const renamed = await contents.rename("old.ipynb", "new.ipynb");
    assert.equal(renamed.path, "new.ipynb");
    await assert.rejects(contents.get("old.ipynb"), (e: ServerConnection.ResponseError) => e.response.status === 404);
    await contents.delete("new.ipynb");
    await assert.rejects(contents.get("new.ipynb"), (e: ServerConnection.ResponseError) => e.response.status === 404);
  });

  test("directories: create, save inside, rename moves children, non-empty delete refused", async () => {
    const dir = await contents.newUntitled({ type: "directory" });
    assert.equal(dir.path, "Untitled Folder");
    await contents.save(`${dir.path}/inner.ipynb`, { type: "notebook", format: "json", content: notebook("2") });
    await contents.rename(dir.path, "scans");
    assert.equal((await contents.get("scans/inner.ipynb")).path, "scans/inner.ipynb");
    await assert.rejects(contents.delete("scans"), (e: ServerConnection.ResponseError) => e.response.status === 400);
    await assert.rejects(
      contents.save("missing-dir/x.ipynb", { type: "notebook", format: "json", content: notebook("3") }),
      (e: ServerConnection.ResponseError) => e.response.status === 404,
    );
  });

  test("text files round-trip", async () => {
    await contents.save("notes.txt", { type: "file", format: "text", content: "beam current 300 mA\n" });
    const f = await contents.get("notes.txt");
    assert.equal(f.content, "beam current 300 mA\n");
    assert.equal(f.format, "text");
  });

  test("paths cannot escape the contents root", async () => {
    const auth = { Authorization: `token ${server.token}` };
    for (const p of [
      "/api/contents/../../etc/passwd",
      "/api/contents/..%2F..%2Fetc%2Fpasswd",
      "/api/contents/%2e%2e/secret",
      "/api/contents/a/%252e%252e/b",
      "/api/contents/a\\..\\b",
      "/api/contents/./Welcome.ipynb",
    ]) {
      const res = await rawRequest(server, "GET", p, auth);
      assert.ok(res.status === 400 || res.status === 404, `${p} answered ${res.status}`);
      assert.doesNotMatch(res.body, /root:|"content"/);
    }
    const put = await fetch(`${server.url}api/contents/%2e%2e%2fescape.ipynb`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ type: "notebook", content: notebook("1") }),
    });
    assert.equal(put.status, 400);
    // Refused before routing (server/http/request-path.ts): an encoded slash is never part of a path.
    assert.match(((await put.json()) as { message: string }).message, /Bad request path/);
  });

  test("paths too long to store are 400 with the limit, in the URL and in a rename's body (were 500)", async () => {
    const auth = { Authorization: `token ${server.token}`, "Content-Type": "application/json" };
    const long = `${"deep/".repeat(300)}x.ipynb`;
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", JSON.stringify({ type: "notebook", content: notebook("1") })],
      ["DELETE", undefined],
    ] as const) {
      const res = await rawRequest(server, method, `/api/contents/${long}`, auth, body);
      assert.equal(res.status, 400, `${method}: ${res.body}`);
      assert.match((JSON.parse(res.body) as { message: string }).message, /^Invalid path: the path is 1507 bytes long; at most 1024 are accepted$/);
    }
    const name = await rawRequest(server, "GET", `/api/contents/${"n".repeat(300)}.ipynb`, auth);
    assert.equal(name.status, 400);
    assert.match(name.body, /a name in the path is 306 bytes long; at most 255/);
    const rename = await rawRequest(server, "PATCH", "/api/contents/Welcome.ipynb", auth, JSON.stringify({ path: long }));
    assert.equal(rename.status, 400);
    assert.match(rename.body, /at most 1024/);
  });

  test("a notebook nested 100,000 levels deep is 400 with a message (JSON.stringify overflowed the stack: 500); 500 levels save", async () => {
    const auth = { Authorization: `token ${server.token}`, "Content-Type": "application/json" };
    // Built as text: JSON.stringify of such a value overflows the stack here too.
    const nested = (depth: number) =>
      `{"type":"notebook","content":{"nbformat":4,"nbformat_minor":5,"metadata":{"deep":${"[".repeat(depth)}${"]".repeat(depth)}},"cells":[]}}`;
    const deep = await rawRequest(server, "PUT", "/api/contents/deep.ipynb", auth, nested(100_000));
    assert.equal(deep.status, 400, deep.body);
    assert.equal((JSON.parse(deep.body) as { message: string }).message, "Invalid request body: JSON nested more than 512 levels deep");
    assert.equal((await rawRequest(server, "GET", "/api/contents/deep.ipynb", auth)).status, 404, "nothing was saved");
    // Body, content, metadata, then the arrays: 503 levels in all, within the limit.
    const saved = await rawRequest(server, "PUT", "/api/contents/deep.ipynb", auth, nested(500));
    assert.equal(saved.status, 201, saved.body);
    const back = await rawRequest(server, "GET", "/api/contents/deep.ipynb", auth);
    assert.equal(back.status, 200);
    assert.ok(back.body.includes(`${"[".repeat(500)}${"]".repeat(500)}`));
  });
});
