import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { writeDemoTomo } from "../../server/demo/demo-tomo.ts";
import { tomographyNotebook } from "../../server/demo/tomography-notebook.ts";
import { KernelUnderTest } from "../kernel/kernel-harness.ts";
import { tempDataRoot } from "./fixtures.ts";

let root: string;
let cleanup: () => Promise<void>;
let kernel: KernelUnderTest;

before(async () => {
  ({ root, cleanup } = await tempDataRoot());
  await writeDemoTomo(root);
  // The kernel inherits this, as it inherits the server's LIGHTBOOK_DATA_ROOT.
  process.env.LIGHTBOOK_DATA_ROOT = root;
  kernel = await KernelUnderTest.start();
});

after(async () => {
  await kernel.stop();
  await cleanup();
});

test("the tomography demo notebook runs cell by cell in a real kernel: images, a chart, the axis found", async () => {
  const nb = tomographyNotebook({ name: "typescript", display_name: "TypeScript", language: "typescript" });
  const mimeTypes: string[] = [];
  let printed = "";
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const { reply, iopub } = await kernel.execute(source);
    assert.equal(reply.content.status, "ok", `cell ${cell.id}: ${JSON.stringify(reply.content)}\n${kernel.stderr}`);
    for (const m of iopub) {
      const content = m.content as { data?: Record<string, unknown>; text?: string };
      if (content.data) mimeTypes.push(...Object.keys(content.data));
      if (typeof content.text === "string") printed += content.text;
    }
  }
  assert.ok(mimeTypes.filter((t) => t === "image/png").length >= 4, `sinogram and slices as PNG: ${mimeTypes.join(", ")}`);
  assert.ok(mimeTypes.includes("application/vnd.vegalite.v5+json"), "profile chart");
  // The demo scan's axis is 2 px right of the detector centre (64).
  const axis = Number(/rotation axis at pixel ([\d.]+)/.exec(printed)?.[1]);
  assert.ok(Math.abs(axis - 66) < 0.25, printed);
});
