// Images and files (issue 16, item 7): `attachment:` images in markdown render, an image pasted or
// dropped into a markdown cell becomes an attachment, and .ipynb files dropped on the list import.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, browserSuite, cellInput, newNotebook, openPage, savedNotebook } from "../support/notebook-page.ts";

const suite = browserSuite();

// A 2×2 PNG (red, green / blue, white).
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC";

async function putNotebook(name: string, cells: unknown[]): Promise<void> {
  const server = suite.server();
  const content = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
  const res = await fetch(`${server.url}api/contents/${name}`, {
    method: "PUT",
    headers: { Authorization: `token ${server.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "notebook", format: "json", content }),
  });
  assert.ok(res.ok, `PUT ${name}: ${res.status}`);
}

const images = (page: Page, n: number) =>
  page
    .getByTestId("cell")
    .nth(n - 1)
    .locator(".markdown img");

test("attachment: images in a markdown cell render from the cell's attachments", async () => {
  await putNotebook("attached.ipynb", [
    {
      id: "md",
      cell_type: "markdown",
      metadata: {},
      source: "Detector: ![pixels](attachment:pixels.png) missing: ![gone](attachment:gone.png)",
      attachments: { "pixels.png": { "image/png": PNG } },
    },
  ]);
  const { page, problems } = await openPage(suite.browser());
  const server = suite.server();
  await page.goto(`${server.url}?token=${server.token}`);
  await page.goto(`${server.url}notebooks/attached.ipynb`);
  const image = images(page, 1).first();
  await image.waitFor();
  assert.equal(await images(page, 1).count(), 2);
  assert.match((await image.getAttribute("src")) ?? "", /^data:image\/png;base64,iVBOR/);
  assert.equal(await image.evaluate((el: HTMLImageElement) => el.naturalWidth), 2, "the image decoded");
  assert.equal(await images(page, 1).nth(1).getAttribute("src"), null, "an unknown attachment loads nothing");
  assert.deepEqual(problems, []);
  await page.close();
});

test("an image pasted or dropped into a markdown cell is stored as its attachment and shown", async () => {
  const { page, problems } = await openPage(suite.browser());
  const server = suite.server();
  const file = await newNotebook(page, server);
  await page.getByTestId("cell").first().click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("m");
  await page.keyboard.press("Enter");
  await page.keyboard.insertText("Beam profile:\n");
  // What the browser hands the page when an image is pasted from the clipboard, or a file dropped.
  const imageTransfer = (name: string) =>
    page.evaluateHandle(
      ({ base64, name }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "image/png" }));
        return transfer;
      },
      { base64: PNG, name },
    );
  const pasted = await imageTransfer("image.png");
  await cellInput(page).evaluate((el, clipboardData) => {
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
  }, pasted);
  await cellInput(page).filter({ hasText: "![image.png](attachment:image.png)" }).waitFor();
  await page.keyboard.insertText("\n");
  await cellInput(page).dispatchEvent("drop", { dataTransfer: await imageTransfer("image.png") });
  await cellInput(page).filter({ hasText: "![image-1.png](attachment:image-1.png)" }).waitFor();
  await page.keyboard.press("Shift+Enter");
  await images(page, 1).nth(1).waitFor();
  assert.deepEqual(await images(page, 1).evaluateAll((els) => els.map((el) => (el as HTMLImageElement).naturalWidth)), [2, 2]);
  await page.screenshot({ path: path.join(ARTIFACTS, "attachments-pasted.png") });
  await page.keyboard.press("Control+s");
  await page
    .getByTestId("save-state")
    .filter({ hasText: /^Saved$/ })
    .waitFor();
  const cell = (await savedNotebook(server, file)).content.cells[0] as unknown as { source: string; attachments: Record<string, Record<string, string>> };
  assert.match(cell.source, /^Beam profile:\n!\[image\.png\]\(attachment:image\.png\)\n!\[image-1\.png\]\(attachment:image-1\.png\)\n?$/);
  assert.deepEqual(Object.keys(cell.attachments).sort(), ["image-1.png", "image.png"]);
  assert.equal(cell.attachments["image.png"]?.["image/png"], PNG);
  assert.deepEqual(problems, []);
  await page.close();
});

test(".ipynb files dropped on the list page are imported; other files are refused with a message", async () => {
  const { page } = await openPage(suite.browser());
  const server = suite.server();
  await page.goto(`${server.url}?token=${server.token}`);
  const notebook = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: "a", cell_type: "markdown", metadata: {}, source: "# Dropped" }],
  });
  const transfer = await page.evaluateHandle((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], "dropped scan.ipynb", { type: "application/x-ipynb+json" }));
    data.items.add(new File(["not a notebook"], "notes.txt", { type: "text/plain" }));
    return data;
  }, notebook);
  const list = page.getByTestId("notebook-list");
  await list.dispatchEvent("dragover", { dataTransfer: transfer });
  await list.dispatchEvent("drop", { dataTransfer: transfer });
  await page.getByRole("link", { name: "dropped scan.ipynb" }).waitFor();
  await page.getByTestId("list-error").filter({ hasText: "notes.txt is not a notebook (.ipynb)" }).waitFor();
  assert.equal((await savedNotebook(server, "dropped scan.ipynb")).content.cells[0]?.source, "# Dropped");
  await page.screenshot({ path: path.join(ARTIFACTS, "attachments-list-drop.png") });
  await page.close();
});
