// Notebook revisions (issue 11 item 2): every save is a revision; a save based on an older
// revision merges by cell id or is refused with the cells both sides changed; revisions are
// listed, opened and restored. Real server, real PostgreSQL.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ContentsManager } from "@jupyterlab/services";
import pg from "pg";
import { stringify } from "safe-stable-stringify";
import { revisionList, revisionSummary, revisionWithNotebook, saveConflictBody } from "../../contracts/revisions.ts";
import { contentsModel } from "../../contracts/contents.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { serverSettings } from "../support/jupyter.ts";

type TestCell = { id: string; cell_type: "code"; metadata: Record<string, unknown>; source: string; outputs: unknown[]; execution_count: number | null };

function code(id: string, source: string): TestCell {
  return { id, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null };
}

function notebook(...cells: TestCell[]) {
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } }, cells };
}

describe("notebook revisions", () => {
  let server: RunningServer;
  let db: pg.Client;

  before(async () => {
    server = await startServer({ web: false });
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await server.dispose();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { Authorization: `token ${server.token}`, ...init.headers } });
  const enc = (p: string) => p.split("/").map(encodeURIComponent).join("/");
  async function put(path: string, content: unknown, ifMatch?: string): Promise<Response> {
    return api(`api/contents/${enc(path)}`, {
      method: "PUT",
      headers: ifMatch ? { "If-Match": `"${ifMatch}"` } : {},
      body: JSON.stringify({ type: "notebook", format: "json", content }),
    });
  }
  async function saved(path: string, content: unknown, ifMatch?: string) {
    const res = await put(path, content, ifMatch);
    assert.ok(res.ok, `PUT ${path}: ${res.status} ${await res.clone().text()}`);
    return contentsModel.parse(await res.json());
  }
  async function revisions(path: string, query = "") {
    const res = await api(`api/lightbook/notebooks/${enc(path)}/revisions${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return revisionList.parse(await res.json());
  }
  async function head(path: string) {
    const res = await api(`api/contents/${enc(path)}`);
    return contentsModel.parse(await res.json());
  }

  test("every save makes a revision with its hash, parent and author, and the model carries the head's hash", async () => {
    const first = await saved("one.ipynb", notebook(code("a", "1")));
    const second = await saved("one.ipynb", notebook(code("a", "2")));
    assert.equal(second.hash_algorithm, "sha256");
    assert.match(second.hash ?? "", /^[0-9a-f]{64}$/);
    assert.notEqual(first.hash, second.hash);
    const list = await revisions("one.ipynb");
    assert.equal(list.revisions.length, 2);
    const [newest, oldest] = list.revisions;
    assert.equal(newest!.id, second.revision_id);
    assert.equal(newest!.hash, second.hash);
    assert.equal(newest!.parent_id, oldest!.id);
    assert.equal(oldest!.parent_id, null);
    assert.equal(newest!.kind, "save");
    const me = (await api("api/lightbook/me").then((r) => r.json())) as { username: string };
    assert.equal(newest!.author, me.username, "the token's principal: the bootstrap admin");
    // The hash is sha256 over the notebook's key-sorted JSON, whatever order PostgreSQL keeps keys in.
    const stored = (await api("api/contents/one.ipynb").then((r) => r.json())) as { content: unknown };
    assert.equal(createHash("sha256").update(stringify(stored.content)!).digest("hex"), second.hash);
    // The row in PostgreSQL points at its head.
    const row = await db.query<{ revision_id: string }>("SELECT revision_id::text FROM content WHERE path = 'one.ipynb'");
    assert.equal(row.rows[0]!.revision_id, second.revision_id);
    assert.equal((await head("one.ipynb")).hash, second.hash);
  });

  test("a stale save that changed the cell the head changed is refused with 409 naming the cell and the head", async () => {
    const base = await saved("clash.ipynb", notebook(code("a", "x = 1"), code("b", "y = 1")));
    const theirs = await saved("clash.ipynb", notebook(code("a", "x = 2"), code("b", "y = 1")), base.revision_id!);
    const res = await put("clash.ipynb", notebook(code("a", "x = 3"), code("b", "y = 1")), base.revision_id!);
    assert.equal(res.status, 409);
    const body = saveConflictBody.parse(await res.json());
    assert.deepEqual(body.conflicts, [{ cell_id: "a", what: ["source"] }]);
    assert.equal(body.head.id, theirs.revision_id);
    assert.match(body.message, /cell a \(source\)/);
    const cells = (await api("api/contents/clash.ipynb").then((r) => r.json())) as { content: { cells: TestCell[] } };
    assert.equal(cells.content.cells[0]!.source, "x = 2", "the head is kept");
    // Based on the head it names, the same save goes through.
    await saved("clash.ipynb", notebook(code("a", "x = 3"), code("b", "y = 1")), body.head.id!);
  });

  test("a stale save that edited another cell merges with the head, and the answer carries the merged notebook", async () => {
    const base = await saved("merge.ipynb", notebook(code("a", "x = 1"), code("b", "y = 1")));
    await saved("merge.ipynb", notebook(code("a", "x = 2"), code("b", "y = 1"), code("c", "z = 1")), base.revision_id!);
    const mine = await saved("merge.ipynb", notebook(code("b", "y = 2"), code("a", "x = 1")), base.hash!);
    const merged = mine.content as { cells: TestCell[] };
    assert.deepEqual(
      merged.cells.map((c) => [c.id, c.source]),
      [
        // Our order (we moved b up); their new cell c after the cell it follows in theirs.
        ["b", "y = 2"],
        ["c", "z = 1"],
        ["a", "x = 2"],
      ],
    );
    const stored = (await api("api/contents/merge.ipynb").then((r) => r.json())) as { content: unknown };
    assert.deepEqual(stored.content, mine.content);
  });

  test("two stale saves at once, of different cells, both land: the row lock orders them", async () => {
    const base = await saved("race.ipynb", notebook(code("a", "1"), code("b", "1")));
    const [x, y] = await Promise.all([
      put("race.ipynb", notebook(code("a", "2"), code("b", "1")), base.revision_id!),
      put("race.ipynb", notebook(code("a", "1"), code("b", "2")), base.revision_id!),
    ]);
    assert.deepEqual([x.status, y.status], [200, 200]);
    const now = (await api("api/contents/race.ipynb").then((r) => r.json())) as { content: { cells: TestCell[] } };
    assert.deepEqual(
      now.content.cells.map((c) => c.source),
      ["2", "2"],
    );
    assert.equal((await revisions("race.ipynb")).revisions.length, 3);
  });

  test("outputs the runner commits merge with a page's save of the revision before them", async () => {
    const { NotebookRevisions } = await import("../../server/notebooks/revisions.ts");
    const { createDb } = await import("../../server/db/client.ts");
    const prisma = createDb(server.databaseUrl);
    try {
      const revisionsOf = new NotebookRevisions(prisma);
      const base = await saved("run.ipynb", notebook(code("a", "console.log(1)"), code("b", "2")));
      const outputs = [{ output_type: "stream" as const, name: "stdout" as const, text: "1\n" }];
      const commit = await revisionsOf.commitOutputs("run.ipynb", "a", { outputs, execution_count: 1 });
      assert.equal(commit.kind, "committed");
      assert.equal((await revisionsOf.commitOutputs("run.ipynb", "gone", { outputs, execution_count: 2 })).kind, "no-cell");
      // The page saves an edit of the same cell's source, based on the revision before the outputs.
      const mine = await saved("run.ipynb", notebook(code("a", "console.log(10)"), code("b", "2")), base.revision_id!);
      const cell = (mine.content as { cells: TestCell[] }).cells[0]!;
      assert.equal(cell.source, "console.log(10)");
      assert.deepEqual(cell.outputs, outputs);
      assert.equal(cell.execution_count, 1);
      const list = (await revisions("run.ipynb")).revisions;
      assert.deepEqual(
        list.map((r) => r.kind),
        ["save", "outputs", "save"],
      );
      assert.equal(list[1]!.author, "runner");
    } finally {
      await prisma.$disconnect();
    }
  });

  test("revisions are listed newest first in pages, opened, and restored as a new head", async () => {
    for (const n of [1, 2, 3]) await saved("hist.ipynb", notebook(code("a", `v${n}`)));
    const page1 = await revisions("hist.ipynb", "?limit=2");
    assert.equal(page1.revisions.length, 2);
    assert.ok(page1.next_before);
    const page2 = await revisions("hist.ipynb", `?limit=2&before=${page1.next_before}`);
    assert.equal(page2.revisions.length, 1);
    assert.equal(page2.next_before, null);
    const oldest = page2.revisions[0]!;
    const opened = revisionWithNotebook.parse(await api(`api/lightbook/notebooks/hist.ipynb/revisions/${oldest.id}`).then((r) => r.json()));
    assert.equal((opened.notebook as { cells: TestCell[] }).cells[0]!.source, "v1");
    assert.equal("notebook" in page1.revisions[0]!, false, "listings carry no content");

    const res = await api(`api/lightbook/notebooks/hist.ipynb/revisions/${oldest.id}/restore`, { method: "POST" });
    assert.equal(res.status, 201);
    const restored = revisionSummary.parse(await res.json());
    assert.equal(restored.kind, "restore");
    assert.equal(restored.parent_id, page1.revisions[0]!.id);
    assert.equal(restored.hash, oldest.hash);
    const now = await api("api/contents/hist.ipynb").then(async (r) => contentsModel.parse(await r.json()));
    assert.equal((now.content as { cells: TestCell[] }).cells[0]!.source, "v1");
    assert.equal(now.revision_id, restored.id);
  });

  test("rename keeps the history; create and copy start one", async () => {
    await saved("before.ipynb", notebook(code("a", "1")));
    await saved("before.ipynb", notebook(code("a", "2")));
    const moved = await api("api/contents/before.ipynb", { method: "PATCH", body: JSON.stringify({ path: "after.ipynb" }) });
    assert.equal(moved.status, 200);
    assert.equal((await revisions("after.ipynb")).revisions.length, 2);
    assert.equal((await api("api/lightbook/notebooks/before.ipynb/revisions")).status, 404);
    const copy = await api("api/contents/", { method: "POST", body: JSON.stringify({ copy_from: "after.ipynb" }) });
    const copied = contentsModel.parse(await copy.json());
    const copyRevs = await revisions(copied.path);
    assert.equal(copyRevs.revisions.length, 1);
    assert.equal(copyRevs.revisions[0]!.id, copied.revision_id);
  });

  test("@jupyterlab/services saves without If-Match as in Jupyter (last writer wins), each save a revision", async () => {
    const contents = new ContentsManager({ serverSettings: serverSettings(server) });
    await contents.save("plain.ipynb", { type: "notebook", format: "json", content: notebook(code("a", "1")) });
    const second = await contents.save("plain.ipynb", { type: "notebook", format: "json", content: notebook(code("a", "2")) });
    assert.equal((await contents.get("plain.ipynb")).content.cells[0].source, "2");
    assert.equal((await revisions("plain.ipynb")).revisions.length, 2);
    assert.equal(second.path, "plain.ipynb");
  });

  test("bad paths, unknown notebooks and unknown revisions get clear errors", async () => {
    await saved("known.ipynb", notebook(code("a", "1")));
    const cases: [string, number, RegExp][] = [
      ["api/lightbook/notebooks/..%2Fetc/revisions", 400, /encoded slashes/],
      ["api/lightbook/notebooks/a%5C..%5Cb.ipynb/revisions", 400, /backslashes|Invalid path/],
      ["api/lightbook/notebooks/missing.ipynb/revisions", 404, /No such notebook/],
      ["api/lightbook/notebooks/known.ipynb/revisions/not-a-uuid", 400, /Not a revision id/],
      ["api/lightbook/notebooks/known.ipynb/revisions/6f1c2c47-3d4e-4c8a-9b1e-2f5a7d9e0c11", 404, /No revision/],
      ["api/lightbook/notebooks/known.ipynb/revisions?limit=0", 400, /limit/],
    ];
    for (const [url, status, message] of cases) {
      const res = await api(url);
      assert.equal(res.status, status, url);
      assert.match(((await res.json()) as { message: string }).message, message, url);
    }
    const restoreUnknown = await api("api/lightbook/notebooks/known.ipynb/revisions/6f1c2c47-3d4e-4c8a-9b1e-2f5a7d9e0c11/restore", { method: "POST" });
    assert.equal(restoreUnknown.status, 404);
    const badIfMatch = await put("known.ipynb", notebook(code("a", "2")), "nonsense");
    assert.equal(badIfMatch.status, 400);
    const unknownBase = await put("known.ipynb", notebook(code("a", "2")), "6f1c2c47-3d4e-4c8a-9b1e-2f5a7d9e0c11");
    assert.equal(unknownBase.status, 400);
    assert.match(((await unknownBase.json()) as { message: string }).message, /names no revision/);
    const noAuth = await fetch(`${server.url}api/lightbook/notebooks/known.ipynb/revisions`);
    assert.equal(noAuth.status, 401);
  });
});
