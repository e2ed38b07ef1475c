// The server-side runner (issue 11, item 1): notebooks run on the server, keyed by cell id, and
// their outputs are stored into the notebook whether a page is open or not.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KernelManager, SessionManager } from "@jupyterlab/services";
import { OUTPUTS_HEADER, OUTPUTS_HEADER_SERVER } from "../../contracts/executions.ts";
import { serverSettings } from "../support/jupyter.ts";
import { codeCell, executionsWhenSettled, notebookOf, notebookUrl, outputText, putNotebook, runCells, storedNotebook } from "../support/notebooks.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { api, waitFor } from "../support/workflow.ts";

describe("server-side notebook runner", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ web: false });
  });
  after(() => server.dispose());

  test("run all through the API with no page open: every code cell's outputs are in the stored notebook", async () => {
    const path = "runner/all.ipynb";
    await api(server, "PUT", "/api/contents/runner", { type: "directory" });
    await putNotebook(
      server,
      path,
      notebookOf([
        { id: "energy", source: 'const energy = 12.4;\nconsole.log("keV", energy);\nenergy * 2' },
        { id: "notes", source: "# Notes", cell_type: "markdown" },
        { id: "slow", source: 'await new Promise((r) => setTimeout(r, 300));\nconsole.error("late");' },
        { id: "wavelength", source: "(12.398 / energy).toFixed(3)" },
      ]),
    );
    const queued = await runCells(server, path, { all: true });
    assert.equal(queued.status, 202);
    assert.deepEqual(
      queued.body.executions!.map((e) => [e.cell_id, e.state, e.origin]),
      [
        ["energy", "queued", "api"],
        ["slow", "queued", "api"],
        ["wavelength", "queued", "api"],
      ],
    );

    const done = await executionsWhenSettled(server, path);
    assert.deepEqual(
      done.map((e) => [e.cell_id, e.state, e.status, e.execution_count]),
      [
        ["energy", "done", "ok", 1],
        ["slow", "done", "ok", 2],
        ["wavelength", "done", "ok", 3],
      ],
    );
    const stored = await storedNotebook(server, path);
    assert.deepEqual(codeCell(stored, "energy").outputs.map(outputText), ["keV 12.4\n", "24.8"]);
    assert.equal(codeCell(stored, "energy").execution_count, 1);
    assert.deepEqual(codeCell(stored, "slow").outputs, [{ output_type: "stream", name: "stderr", text: "late\n" }]);
    assert.deepEqual(codeCell(stored, "wavelength").outputs.map(outputText), ["'1.000'"]);
    assert.equal(codeCell(stored, "wavelength").execution_count, 3);
  });

  test("cells run in the order asked; an error aborts the rest, as stop_on_error does", async () => {
    const path = "order.ipynb";
    await putNotebook(
      server,
      path,
      notebookOf([
        { id: "init", source: "const seen: string[] = [];" },
        { id: "a", source: "seen.push('a');" },
        { id: "b", source: "seen.push('b'); seen.join()" },
        // Slow enough that the next request is queued in the kernel before this one fails.
        { id: "boom", source: "await new Promise((r) => setTimeout(r, 500));\nthrow new RangeError('detector saturated')" },
        { id: "never", source: "'not run'" },
      ]),
    );
    await runCells(server, path, { cell_ids: ["init", "b", "a", "b"] });
    await executionsWhenSettled(server, path);
    assert.deepEqual(codeCell(await storedNotebook(server, path), "b").outputs.map(outputText), ["'b,a,b'"]);

    await runCells(server, path, { cell_ids: ["boom", "never"] });
    const done = (await executionsWhenSettled(server, path)).slice(-2);
    assert.deepEqual(
      done.map((e) => [e.cell_id, e.status]),
      [
        ["boom", "error"],
        ["never", "aborted"],
      ],
    );
    const stored = await storedNotebook(server, path);
    assert.deepEqual(codeCell(stored, "boom").outputs.map(outputText), ["RangeError: detector saturated"]);
    assert.deepEqual(codeCell(stored, "never").outputs, []);
  });

  test("bad requests: an unknown cell id or a markdown cell is a 400 naming it; a missing notebook 404", async () => {
    const path = "bad.ipynb";
    await putNotebook(
      server,
      path,
      notebookOf([
        { id: "ok", source: "1" },
        { id: "text", source: "# title", cell_type: "markdown" },
      ]),
    );
    const unknown = await runCells(server, path, { cell_ids: ["ok", "missing-cell"] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message!, /No cell with id "missing-cell" in bad\.ipynb/);
    const markdown = await runCells(server, path, { cell_ids: ["text"] });
    assert.equal(markdown.status, 400);
    assert.match(markdown.body.message!, /"text" .* is a markdown cell/);
    const shape = await runCells(server, path, { cells: ["ok"] });
    assert.equal(shape.status, 400);
    assert.match(shape.body.message!, /cell_ids/);
    assert.equal((await runCells(server, "nowhere.ipynb", { all: true })).status, 404);
    assert.deepEqual(await executionsWhenSettled(server, path, 0), [], "nothing was queued");
  });

  test("a @jupyterlab/services execute with metadata.cellId writes its outputs into the stored notebook", async () => {
    const path = "lab.ipynb";
    await putNotebook(
      server,
      path,
      notebookOf([
        { id: "lab-cell", source: "" },
        { id: "other", source: "" },
      ]),
    );
    const kernels = new KernelManager({ serverSettings: serverSettings(server) });
    const sessions = new SessionManager({ serverSettings: serverSettings(server), kernelManager: kernels });
    const session = await sessions.startNew({ path, name: path, type: "notebook", kernel: { name: "lightbook-ts" } });
    const kernel = session.kernel!;
    const reply = await kernel.requestExecute({ code: 'console.log("from lab"); 6 * 7' }, true, { cellId: "lab-cell" }).done;
    assert.equal(reply.content.status, "ok");
    // Without a cell id the runner has nothing to key it by: the store is left alone.
    await kernel.requestExecute({ code: '"no cell"' }).done;

    const done = await executionsWhenSettled(server, path);
    assert.deepEqual(
      done.map((e) => [e.cell_id, e.origin, e.state, e.execution_count]),
      [["lab-cell", "kernel", "done", 1]],
    );
    const stored = await storedNotebook(server, path);
    assert.deepEqual(codeCell(stored, "lab-cell").outputs.map(outputText), ["from lab\n", "42"]);
    assert.equal(codeCell(stored, "lab-cell").execution_count, 1);
    assert.deepEqual(codeCell(stored, "other").outputs, []);
    await session.shutdown();
    sessions.dispose();
    kernels.dispose();
  });

  test("a page's save after a run keeps the runner's outputs; a plain Jupyter client's save stores what it sends", async () => {
    const path = "save.ipynb";
    const cells = [
      { id: "x", source: 'console.log("stored by the runner")' },
      { id: "y", source: "1 + 1" },
    ];
    await putNotebook(server, path, notebookOf(cells));
    await runCells(server, path, { all: true });
    await executionsWhenSettled(server, path);

    // The page's copy: an edited source, and no outputs (it opened before the run, or cleared nothing).
    const edited = notebookOf([cells[0]!, { id: "y", source: "1 + 2" }, { id: "new", source: "3" }]);
    const newCell = codeCell(edited, "new");
    newCell.outputs = [{ output_type: "stream", name: "stdout", text: "new cell's own\n" }];
    newCell.execution_count = 7;
    await putNotebook(server, path, edited, { [OUTPUTS_HEADER]: OUTPUTS_HEADER_SERVER });
    let stored = await storedNotebook(server, path);
    assert.equal(codeCell(stored, "y").source, "1 + 2", "the page's edit is saved");
    assert.deepEqual(codeCell(stored, "x").outputs.map(outputText), ["stored by the runner\n"]);
    assert.deepEqual(codeCell(stored, "y").outputs.map(outputText), ["2"]);
    assert.equal(codeCell(stored, "y").execution_count, 2);
    assert.deepEqual(codeCell(stored, "new").outputs.map(outputText), ["new cell's own\n"], "a cell the store did not have keeps the page's outputs");

    await putNotebook(server, path, notebookOf(cells));
    stored = await storedNotebook(server, path);
    assert.deepEqual(codeCell(stored, "x").outputs, [], "without the header a save is stored as sent");
  });

  test("a long cell's outputs are stored while it runs, and clearing clears the stored outputs", async () => {
    const path = "long.ipynb";
    await putNotebook(
      server,
      path,
      notebookOf([{ id: "ticks", source: 'console.log("first");\nawait new Promise((r) => setTimeout(r, 4000));\nconsole.log("second");' }]),
    );
    await runCells(server, path, { all: true });
    await waitFor(
      async () => codeCell(await storedNotebook(server, path), "ticks").outputs.length > 0,
      30_000,
      () => "the first line was not stored while the cell ran",
    );
    const running = await api<{ executions: { state: string }[] }>(server, "GET", notebookUrl(path, "executions"));
    assert.equal(running.body.executions[0]!.state, "running", "stored before the cell ended");
    assert.deepEqual(codeCell(await storedNotebook(server, path), "ticks").outputs.map(outputText), ["first\n"]);
    await executionsWhenSettled(server, path);
    assert.deepEqual(codeCell(await storedNotebook(server, path), "ticks").outputs.map(outputText), ["first\nsecond\n"]);

    const cleared = await api(server, "POST", notebookUrl(path, "outputs/clear"), { cell_ids: ["ticks", "not-saved-yet"] });
    assert.equal(cleared.status, 204);
    const stored = codeCell(await storedNotebook(server, path), "ticks");
    assert.deepEqual([stored.outputs, stored.execution_count], [[], null]);
  });
});
