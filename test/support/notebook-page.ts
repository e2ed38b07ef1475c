import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./browser.ts";
import { startServer, type RunningServer, type ServerOptions } from "./server.ts";

/** A page on a 1280×800 laptop screen that records console errors and uncaught exceptions. */
export async function openPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => void problems.push(e.message));
  return { page, problems };
}

export async function waitForIdle(page: Page): Promise<void> {
  await page
    .getByTestId("kernel-status")
    .filter({ hasText: /^idle$/ })
    .waitFor({ timeout: 60_000 });
}

/** Signs in with the token, creates a notebook from the list page and waits for its kernel. */
export async function newNotebook(page: Page, server: RunningServer): Promise<string> {
  await page.goto(`${server.url}?token=${server.token}`);
  await page.getByRole("button", { name: "New notebook" }).click();
  await page.waitForURL(/\/notebooks\/Untitled\d*\.ipynb$/);
  await waitForIdle(page);
  return decodeURIComponent(new URL(page.url()).pathname.replace(/^\/notebooks\//, ""));
}

/** The editor of cell `n` (1-based), by its accessible name. */
export const cellInput = (page: Page, n = 1) => page.getByRole("textbox", { name: `Cell ${n} input` });

/** Waits until the toolbar's save state reads `text` ("Saved", "Unsaved changes", …). */
export const saveState = (page: Page, text: string) =>
  page
    .getByTestId("save-state")
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor({ timeout: 30_000 });

/** Types `text` at the end of cell `n`'s source, as a user clicking into it does. */
export async function typeAtEnd(page: Page, text: string, n = 1): Promise<void> {
  await cellInput(page, n).click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

/** Types `code` into cell `n` (1-based) and runs it with Shift-Enter, as a user does; waits for its execution count. */
export async function runInCell(page: Page, n: number, code: string): Promise<void> {
  await cellInput(page, n).click();
  await page.keyboard.insertText(code);
  await page.keyboard.press("Shift+Enter");
  await page
    .getByTestId("cell")
    .nth(n - 1)
    .getByTestId("execution-count")
    .filter({ hasText: /\[\d+\]:/ })
    .waitFor({ timeout: 60_000 });
}

/** A vega-lite bar chart of two bars, in vega's default blue (#4c78a8). */
export const BAR_CHART = {
  data: {
    values: [
      { q: 1, I: 40 },
      { q: 2, I: 90 },
    ],
  },
  mark: "bar",
  encoding: { x: { field: "q", type: "ordinal" }, y: { field: "I", type: "quantitative" } },
};

/** A new notebook whose first cell holds `code`, saved, so that another page opens it as it is; focus stays in the cell. */
export async function newNotebookWithCode(page: Page, server: RunningServer, code: string): Promise<string> {
  const file = await newNotebook(page, server);
  await cellInput(page).click();
  await page.keyboard.insertText(code);
  await page.keyboard.press("Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  return file;
}

/** Another page (another tab, or a colleague) opening a notebook by its address. */
export async function openNotebookPage(browser: Browser, server: RunningServer, file: string): Promise<{ page: Page; problems: string[] }> {
  const opened = await openPage(browser);
  await opened.page.goto(`${server.url}?token=${server.token}`);
  await opened.page.goto(`${server.url}notebooks/${file}`);
  return opened;
}

/** The saved notebook, straight from the contents API. */
export async function savedNotebook(
  server: RunningServer,
  path: string,
): Promise<{
  last_modified: string;
  content: { cells: { cell_type: string; source: string; metadata: Record<string, unknown>; outputs?: { output_type: string }[] }[] };
}> {
  const res = await fetch(`${server.url}api/contents/${encodeURIComponent(path)}`, { headers: { Authorization: `token ${server.token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as Awaited<ReturnType<typeof savedNotebook>>;
}

export const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");

export interface BrowserSuite {
  server(): RunningServer;
  browser(): Browser;
}

/** Registers before/after hooks that start the real server with the web app and a Chromium. */
export function browserSuite(options: ServerOptions = {}): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    [server, browser] = await Promise.all([startServer({ web: true, ...options }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the suite has not started yet");
    return value;
  };
  return { server: () => started(server), browser: () => started(browser) };
}
