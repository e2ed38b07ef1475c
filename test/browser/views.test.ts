// Views (issue #6): the notebook list with folders and search; import and export .ipynb; export HTML.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Download, Page } from "playwright-core";
import { ARTIFACTS, browserSuite, openPage, waitForIdle } from "../support/notebook-page.ts";
import type { RunningServer } from "../support/server.ts";

const suite = browserSuite();

async function put(server: RunningServer, filePath: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}api/contents/${filePath}`, {
    method: "PUT",
    headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `PUT ${filePath}: ${res.status}`);
}

const notebook = (cells: unknown[]) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)", language: "typescript" } },
  cells,
});

async function rowNames(page: Page): Promise<string[]> {
  return page.getByRole("list", { name: "Notebooks" }).getByRole("link").allTextContents();
}

async function downloaded(page: Page, start: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), start()]);
  return { download, text: await readFile((await download.path())!, "utf8") };
}

test("the list shows folders, filters by search, opens a folder, and imports an .ipynb into it", async () => {
  const server = suite.server();
  await put(server, "beamtime", { type: "directory" });
  await put(server, "alpha-scan.ipynb", { type: "notebook", format: "json", content: notebook([]) });
  await put(server, "beamtime/gamma-run.ipynb", { type: "notebook", format: "json", content: notebook([]) });
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("link", { name: "alpha-scan.ipynb" }).waitFor();
  const root = await rowNames(page);
  assert.equal(root[0], "beamtime", "folders come first");
  assert.ok(root.includes("Welcome.ipynb") && root.includes("alpha-scan.ipynb"));

  await page.getByRole("searchbox", { name: "Search notebooks" }).fill("SCAN");
  assert.deepEqual(await rowNames(page), ["alpha-scan.ipynb"]);
  await page.getByRole("searchbox", { name: "Search notebooks" }).fill("");

  await page.getByRole("link", { name: "beamtime" }).click();
  await page.waitForURL(/\?dir=beamtime$/);
  await page.getByRole("link", { name: "gamma-run.ipynb" }).waitFor();
  assert.deepEqual(await rowNames(page), ["gamma-run.ipynb"]);
  assert.equal(await page.getByRole("navigation", { name: "Folder" }).textContent(), "Notebooks / beamtime");

  await page
    .getByLabel("Notebook file to import")
    .setInputFiles({ name: "broken.ipynb", mimeType: "application/json", buffer: Buffer.from('{"nbformat": 3}') });
  await page.getByTestId("list-error").filter({ hasText: "Could not import broken.ipynb: Only nbformat 4" }).waitFor();

  const imported = notebook([
    { cell_type: "markdown", metadata: {}, source: ["# Imported from JupyterLab\n", "with *markdown*"] },
    {
      cell_type: "code",
      metadata: {},
      source: "1 + 1",
      execution_count: 4,
      outputs: [{ output_type: "execute_result", execution_count: 4, data: { "text/plain": ["2"] }, metadata: {} }],
    },
  ]);
  await page
    .getByLabel("Notebook file to import")
    .setInputFiles({ name: "gamma-run.ipynb", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(imported)) });
  await page.waitForURL(/\/notebooks\/beamtime\/gamma-run-1\.ipynb$/);
  await page.getByRole("heading", { name: "Imported from JupyterLab" }).waitFor();
  await page.getByTestId("cell").nth(1).getByTestId("output").getByText("2", { exact: true }).waitFor();
  await page.goto(`${server.url}?dir=beamtime`);
  await page.getByRole("link", { name: "gamma-run-1.ipynb" }).waitFor();
  assert.deepEqual((await rowNames(page)).sort(), ["gamma-run-1.ipynb", "gamma-run.ipynb"], "the existing notebook was not overwritten");
  await page.screenshot({ path: path.join(ARTIFACTS, "views-folder.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("export downloads nbformat v4 JSON and a static HTML page with the outputs and no script", async () => {
  const server = suite.server();
  const spec = {
    data: {
      values: [
        { x: 1, y: 2 },
        { x: 2, y: 5 },
      ],
    },
    mark: "line",
    encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
  };
  await put(server, "export-me.ipynb", {
    type: "notebook",
    format: "json",
    content: notebook([
      { id: "title", cell_type: "markdown", metadata: {}, source: "# Export test <script>window.__x=1</script>" },
      {
        id: "code",
        cell_type: "code",
        metadata: {},
        source: 'console.log("<b>hello</b>")',
        execution_count: 1,
        outputs: [{ output_type: "stream", name: "stdout", text: "<b>hello</b>\n" }],
      },
      {
        id: "chart",
        cell_type: "code",
        metadata: {},
        source: "chart",
        execution_count: 2,
        outputs: [{ output_type: "display_data", data: { "application/vnd.vegalite.v5+json": spec }, metadata: {} }],
      },
    ]),
  });
  const { page, problems } = await openPage(suite.browser());
  await page.goto(`${server.url}?token=${server.token}`);
  await page.goto(`${server.url}notebooks/export-me.ipynb`);
  await waitForIdle(page);

  await page.getByText("Export", { exact: true }).click();
  const ipynb = await downloaded(page, () => page.getByRole("button", { name: "Download .ipynb" }).click());
  assert.equal(ipynb.download.suggestedFilename(), "export-me.ipynb");
  const nb = JSON.parse(ipynb.text) as { nbformat: number; nbformat_minor: number; cells: { id: string; cell_type: string; outputs?: unknown[] }[] };
  assert.equal(nb.nbformat, 4);
  assert.ok(nb.nbformat_minor >= 5);
  assert.deepEqual(
    nb.cells.map((c) => [c.id, c.cell_type]),
    [
      ["title", "markdown"],
      ["code", "code"],
      ["chart", "code"],
    ],
  );
  assert.deepEqual(nb.cells[1]!.outputs, [{ output_type: "stream", name: "stdout", text: "<b>hello</b>\n" }]);

  // The menu closed after the first choice.
  await page.getByRole("button", { name: "Export HTML" }).waitFor({ state: "hidden" });
  await page.getByText("Export", { exact: true }).click();
  const html = await downloaded(page, () => page.getByRole("button", { name: "Export HTML" }).click());
  assert.equal(html.download.suggestedFilename(), "export-me.html");
  assert.doesNotMatch(html.text, /<script/i, "the export runs no code");
  assert.match(html.text, /<h1[^>]*>Export test/);
  assert.match(html.text, /&lt;b&gt;hello&lt;\/b&gt;/, "stream text is escaped");
  assert.match(html.text, /<svg[^>]*class="marks"/, "the chart is drawn as SVG");

  // The exported page shows what the notebook shows.
  const exported = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
  await exported.setContent(html.text);
  await exported.locator("pre.stdout").getByText("<b>hello</b>").waitFor();
  await exported.screenshot({ path: path.join(ARTIFACTS, "views-export.png"), fullPage: true });
  await exported.close();
  assert.deepEqual(problems, []);
  await page.close();
});
