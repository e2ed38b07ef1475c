// The Content-Security-Policy in the browser (issue 12, item 5): every page works under it (the
// notebook editor with CodeMirror, a vega-lite chart and KaTeX; the data page with H5Web framed in
// it; H5Web alone; runs and agents) with no violation and no console error, and a page of another
// origin cannot frame Lightbook.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, BAR_CHART, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";

const suite = browserSuite();
const SCAN = "demo/scan_0001.h5";

/** Records `securitypolicyviolation` events of the page and of all its frames. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction("__cspViolation", (v: string) => void violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      void (window as unknown as { __cspViolation(v: string): Promise<void> }).__cspViolation(
        `${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  return violations;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `csp-${name}.png`) });
}

test("the notebook editor, data, H5Web, runs and agents pages work under the CSP with no violation", async () => {
  const server = suite.server();
  const { page, problems } = await openPage(suite.browser());
  const violations = await watchViolations(page);

  await newNotebook(page, server);
  const spec = BAR_CHART;
  await page.getByRole("textbox", { name: "Cell 1 input" }).click();
  await page.keyboard.insertText(
    `display({ "application/vnd.vegalite.v5+json": ${JSON.stringify(spec)} });\ndisplay({ "text/markdown": "Bragg: $n\\\\lambda = 2d\\\\sin\\\\theta$" });\ndisplay({ "text/html": "<b style='color: teal'>bold</b>" });`,
  );
  await page.keyboard.press("Control+Enter");
  const output = page.getByTestId("cell").first().getByTestId("output");
  await output.getByTestId("vega-chart").locator("canvas").waitFor({ timeout: 30_000 });
  await output.locator(".katex").waitFor();
  await output.locator("b", { hasText: "bold" }).waitFor();
  assert.equal(await output.locator("b").evaluate((el) => getComputedStyle(el).color), "rgb(0, 128, 128)", "sanitized inline styles apply under the CSP");
  // CodeMirror's own <style> elements apply: the editor's content is laid out in lines.
  assert.ok((await page.locator(".cm-line").count()) >= 3);
  await shot(page, "notebook");

  await page.goto(`${server.url}data`);
  const folder = page.getByRole("button", { name: "demo", exact: true });
  // The folder icon is an inline SVG (issue 12, item 22): drawn without any emoji font.
  await folder.locator("svg").waitFor();
  await shot(page, "data");
  await folder.click();
  await page.getByRole("button", { name: "scan_0001.h5" }).click();
  const framed = page.frameLocator(`iframe[title="H5Web: ${SCAN}"]`);
  await framed.getByRole("tree").waitFor({ timeout: 60_000 });
  // The NeXus default plot: a WebGL heatmap drawn by react-three-fiber.
  await framed.locator("canvas").first().waitFor({ timeout: 60_000 });
  await shot(page, "data-h5web");

  await page.goto(`${server.url}h5web/?file=${encodeURIComponent(SCAN)}`);
  await page.getByRole("tree").waitFor({ timeout: 60_000 });
  await page.locator("canvas").first().waitFor({ timeout: 60_000 });
  await shot(page, "h5web");

  for (const [route, heading] of [
    ["runs", "Runs"],
    ["agents", "Agents"],
  ] as const) {
    await page.goto(`${server.url}${route}`);
    await page.getByRole("heading", { name: heading }).first().waitFor();
    // Loaded through the API under connect-src, not stuck on the placeholder.
    await page.getByText("Loading…").waitFor({ state: "detached" });
    await shot(page, route);
  }
  await page.goto(`${server.url}`);
  await page.getByRole("list", { name: "Notebooks" }).waitFor();
  await shot(page, "list");
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a page on another origin cannot frame the logged-in notebook", async () => {
  const server = suite.server();
  const { page } = await openPage(suite.browser());
  const file = await newNotebook(page, server);
  const target = `${server.url}notebooks/${file}`;
  const other = createServer((_req, res) =>
    res
      .writeHead(200, { "Content-Type": "text/html" })
      .end(`<!doctype html><title>other site</title><iframe id="victim" src="${target}" width="800" height="400"></iframe>`),
  );
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  try {
    const address = other.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
    await page.goto(`http://127.0.0.1:${address.port}/`);
    assert.match((await refused).text(), /Refused to frame|frame-ancestors 'none'/);
    const child = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(child, "the iframe exists");
    assert.notEqual(child.url(), target, "the notebook did not load in the frame");
    assert.equal(await child.locator(".app-header, [data-testid=cell]").count(), 0);
    await shot(page, "framed-elsewhere");
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
  await page.close();
});
