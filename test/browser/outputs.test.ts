// Outputs (issue #6): vega-lite charts drawn with pixels, markdown with math, ANSI colours, huge
// streams that stay responsive, and an XSS corpus that must run nothing.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, newNotebook, openPage } from "../support/notebook-page.ts";
import type { RunningServer } from "../support/server.ts";
import { XSS_HTML, XSS_MARKDOWN, XSS_SVG } from "../support/xss-corpus.ts";

// The kernel caps a cell's stream text at 1 MiB by default; 100k lines are a little more.
const suite = browserSuite({ env: { LIGHTBOOK_KERNEL_OUTPUT_LIMIT: String(4 * 2 ** 20) } });

async function runInNewCell(page: Page, index: number, code: string): Promise<void> {
  await page.getByRole("textbox", { name: `Cell ${index + 1} input` }).click();
  await page.keyboard.insertText(code);
  await page.keyboard.press("Control+Enter");
}

const output = (page: Page, index: number) => page.getByTestId("cell").nth(index).getByTestId("output");

test("a vega-lite chart is drawn, markdown shows math, streams keep their ANSI colours", async () => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    data: {
      values: [
        { q: 1, I: 40 },
        { q: 2, I: 90 },
        { q: 3, I: 25 },
      ],
    },
    mark: "bar",
    encoding: { x: { field: "q", type: "ordinal" }, y: { field: "I", type: "quantitative" } },
  };
  await runInNewCell(page, 0, `display({ "application/vnd.vegalite.v5+json": ${JSON.stringify(spec)} });\nconsole.log("\\x1b[31mred alert\\x1b[0m plain");`);
  const canvas = output(page, 0).getByTestId("vega-chart").locator("canvas");
  await canvas.waitFor({ timeout: 30_000 });
  // Bars are drawn in vega's default blue (#4c78a8); count pixels of that colour on the canvas.
  const blue = await canvas.evaluate((el: HTMLCanvasElement) => {
    const { data } = el.getContext("2d")!.getImageData(0, 0, el.width, el.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === 0x4c && data[i + 1] === 0x78 && data[i + 2] === 0xa8) n++;
    return n;
  });
  assert.ok(blue > 500, `the chart has bar pixels (${blue})`);

  const red = output(page, 0).locator(".output-stream span", { hasText: "red alert" });
  assert.match((await red.getAttribute("style")) ?? "", /color:\s*rgb\(187,\s*0,\s*0\)/);

  await page.getByRole("button", { name: "Add cell" }).click();
  await page.getByRole("combobox", { name: "Cell 2 type" }).selectOption("markdown");
  await page.getByRole("textbox", { name: "Cell 2 input" }).click();
  await page.keyboard.insertText("Bragg: $n\\lambda = 2d\\sin\\theta$\n\n$$q = \\frac{4\\pi}{\\lambda}\\sin\\theta$$");
  await page.keyboard.press("Control+Enter");
  const math = page.getByTestId("cell").nth(1).locator(".katex");
  await math.first().waitFor();
  assert.equal(await math.count(), 2, "inline and display math");
  assert.equal(await page.getByTestId("cell").nth(1).locator(".katex-display").count(), 1);
  assert.match((await math.first().textContent()) ?? "", /nλ=2dsinθ/);
  await page.screenshot({ path: path.join(ARTIFACTS, "outputs-chart-math.png"), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test("100k lines of output are collapsed to their end, scroll, and the page keeps taking keystrokes meanwhile", async (t) => {
  const { page, problems } = await openPage(suite.browser());
  await newNotebook(page, suite.server());
  await page.evaluate(() => {
    const w = window as unknown as { __longestTask: number };
    w.__longestTask = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longestTask = Math.max(w.__longestTask, entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  // 50 chunks of 2,000 lines, a chunk every 20 ms: many stream messages while we type elsewhere.
  await runInNewCell(
    page,
    0,
    "for (let c = 0; c < 50; c++) {\n  console.log(Array.from({ length: 2000 }, (_, i) => `line ${c * 2000 + i}`).join('\\n'));\n  await new Promise((r) => setTimeout(r, 20));\n}",
  );
  await output(page, 0).locator(".output-stream").waitFor({ timeout: 30_000 });
  await page.getByRole("button", { name: "Add cell" }).click();
  await page.getByRole("textbox", { name: "Cell 2 input" }).click();
  await page.keyboard.type("typed while streaming");
  await page.getByTestId("execution-count").first().filter({ hasText: "[1]:" }).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole("textbox", { name: "Cell 2 input" }).textContent(), "typed while streaming");

  const stream = output(page, 0).locator(".output-stdout");
  assert.match((await stream.textContent()) ?? "", /line 99999\n?$/);
  await output(page, 0).getByTestId("output-truncated").filter({ hasText: "98,000 earlier lines hidden." }).waitFor();
  const box = await stream.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
  assert.ok(box.scroll > box.client && box.client < 800, "the stream scrolls inside the cell");
  t.diagnostic(`longest main-thread task during the run: ${await page.evaluate(() => (window as unknown as { __longestTask: number }).__longestTask)} ms`);
  await page.screenshot({ path: path.join(ARTIFACTS, "outputs-huge-stream.png") });

  await output(page, 0).getByRole("button", { name: "Show all lines" }).click();
  await output(page, 0).getByText("line 0\n", { exact: false }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

async function putNotebook(server: RunningServer, name: string, cells: unknown[]): Promise<void> {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)", language: "typescript" } },
    cells,
  };
  const res = await fetch(`${server.url}api/contents/${name}`, {
    method: "PUT",
    headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "notebook", format: "json", content }),
  });
  assert.ok(res.ok, `PUT ${name}: ${res.status}`);
}

test("an XSS corpus in markdown cells and in HTML, markdown and SVG outputs runs nothing", async () => {
  const server = suite.server();
  const display = (data: Record<string, string>) => ({ output_type: "display_data", data, metadata: {} });
  await putNotebook(server, "xss.ipynb", [
    { id: "md", cell_type: "markdown", metadata: {}, source: XSS_MARKDOWN },
    {
      id: "outs",
      cell_type: "code",
      metadata: {},
      source: "// outputs written by someone else",
      execution_count: 1,
      outputs: [display({ "text/html": XSS_HTML }), display({ "text/markdown": XSS_MARKDOWN }), display({ "image/svg+xml": XSS_SVG })],
    },
    { id: "live", cell_type: "code", metadata: {}, source: `display({ "text/html": ${JSON.stringify(XSS_HTML)} })`, execution_count: null, outputs: [] },
  ]);
  const { page, problems } = await openPage(suite.browser());
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const offsite: string[] = [];
  page.on("request", (r) => void (r.url().includes("xss.invalid") && offsite.push(r.url())));
  await page.goto(`${server.url}?token=${server.token}`);
  await page.goto(`${server.url}notebooks/xss.ipynb`);
  await page
    .getByTestId("kernel-status")
    .filter({ hasText: /^idle$/ })
    .waitFor({ timeout: 60_000 });
  await page.getByTestId("cell").nth(2).click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+Enter");
  await page
    .getByTestId("cell")
    .nth(2)
    .getByTestId("execution-count")
    .filter({ hasText: /\[\d+\]:/ })
    .waitFor({ timeout: 30_000 });
  await output(page, 2).getByText("javascript link", { exact: true }).waitFor();

  // Click every link and button the corpus left behind; none may run anything.
  for (const link of await page.locator(".markdown a, .output-area a, .output-area svg a").all()) {
    await link.click({ modifiers: [], noWaitAfter: true }).catch(() => undefined);
  }
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, "no script ran");
  assert.deepEqual(dialogs, [], "no dialog opened");
  assert.deepEqual(offsite, [], "no style or tag fetched an outside URL");
  assert.equal(await page.locator(".output-area form, .markdown form, iframe, object, embed, .output-area style, .markdown style").count(), 0);
  const positions = await page.locator("#overlay").evaluateAll((els) => els.map((el) => getComputedStyle(el).position));
  assert.ok(positions.length > 0 && positions.every((p) => p !== "fixed"), "no output can draw over the app");
  const hrefs = await page.locator(".markdown a[href], .output-area a[href]").evaluateAll((els) => els.map((el) => el.getAttribute("href") ?? ""));
  assert.ok(
    hrefs.every((h) => !/^\s*(javascript|data):/i.test(h)),
    `no javascript: or data: links (${hrefs.join(", ")})`,
  );
  assert.equal(page.url(), `${server.url}notebooks/xss.ipynb`, "still on the notebook");
  await page.screenshot({ path: path.join(ARTIFACTS, "outputs-xss.png"), fullPage: true });
  // DOMPurify parses the corpus in an inert document that inherits the page's CSP, which reports
  // (and blocks) the corpus's handlers and <base> there; the sanitized output inserted causes none.
  assert.deepEqual(
    problems.filter((p) => !/Failed to load resource|^Executing inline event handler violates|^Setting the document's base URI/.test(p)),
    [],
  );
  await page.close();
});
