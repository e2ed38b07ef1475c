/**
 * The display API in the real kernel: MIME bundles, display ids and updates, markdown/html,
 * vega-lite, PNG images from typed arrays with a colormap, a progress bar updated in place, clear_output.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decode } from "fast-png";
import { isClearOutputMessage, isDisplayDataMessage, isErrorMessage, isStreamMessage, isUpdateDisplayDataMessage } from "../../kernel/protocol/messages.ts";
import { KernelUnderTest } from "./kernel-harness.ts";

describe("display API", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  it("shows bundles, markdown and html, and updates a display by id", async () => {
    const { iopub } = await kernel.execute(
      'display({ "text/html": "<b>1</b>", "text/plain": "1" }, { id: "counter" });\ndisplay(display.markdown("# Scan"));\nupdate("counter", display.html("<b>2</b>"));',
    );
    const shown = iopub.filter(isDisplayDataMessage).map((m) => m.content);
    assert.deepEqual(shown[0]?.data, { "text/html": "<b>1</b>", "text/plain": "1" });
    assert.deepEqual(shown[0]?.transient, { display_id: "counter" });
    assert.equal(shown[1]?.data["text/markdown"], "# Scan");
    const updated = iopub.find(isUpdateDisplayDataMessage)?.content;
    assert.equal(updated?.data["text/html"], "<b>2</b>");
    assert.deepEqual(updated?.transient, { display_id: "counter" });
  });

  it("clears the cell's output now or at the next output (clearOutput), and it type-checks", async () => {
    const { reply, iopub } = await kernel.execute('%%strict\nconsole.log("frame 1");\nclearOutput({ wait: true });\nconsole.log("frame 2");\nclearOutput();');
    assert.equal(reply.content.status, "ok", JSON.stringify(iopub.find(isErrorMessage)?.content));
    const sequence = iopub.filter((m) => isStreamMessage(m) || isClearOutputMessage(m)).map((m) => (isClearOutputMessage(m) ? m.content : m.content.text));
    assert.deepEqual(sequence, ["frame 1\n", { wait: true }, "frame 2\n", { wait: false }]);
  });

  it("shows a vega-lite spec under its v5 MIME type", async () => {
    const { iopub } = await kernel.execute('display(display.vegaLite({ mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x" } } }))');
    const data = iopub.find(isDisplayDataMessage)?.content.data;
    assert.deepEqual(data?.["application/vnd.vegalite.v5+json"], { mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x" } } });
  });

  it("renders a typed array as a PNG with a colormap", async () => {
    const { iopub } = await kernel.execute(
      'const frame = new Float32Array(6 * 4).map((_, i) => i);\ndisplay(display.image({ data: frame, shape: [4, 6] }, { scale: "linear", colormap: "gray", min: 0, max: 23 }))',
    );
    const message = iopub.find(isDisplayDataMessage)?.content;
    const png = decode(Buffer.from(String(message?.data["image/png"]), "base64"));
    assert.deepEqual([png.width, png.height, png.channels], [6, 4, 3]);
    assert.deepEqual(message?.metadata, { "image/png": { width: 6, height: 4 } });
    // Gray: the first pixel (0) black, the last (23 = max) white.
    assert.deepEqual([...png.data.slice(0, 3)], [0, 0, 0]);
    assert.deepEqual([...png.data.slice(-3)], [255, 255, 255]);
  });

  it("shows a progress bar and updates it in place", async () => {
    const { iopub } = await kernel.execute('const bar = display.progress(4, { label: "frames" });\nfor (let i = 1; i <= 4; i++) bar.update(i, `frame ${i}`);');
    const shown = iopub.filter(isDisplayDataMessage);
    const updates = iopub.filter(isUpdateDisplayDataMessage);
    assert.equal(shown.length, 1);
    assert.equal(updates.length, 4);
    const id = shown[0]?.content.transient?.display_id;
    assert.ok(id && updates.every((u) => u.content.transient.display_id === id));
    assert.equal(shown[0]?.content.data["text/plain"], "frames: 0/4 (0%)");
    assert.equal(updates.at(-1)?.content.data["text/plain"], "frames: 4/4 (100%) frame 4");
    assert.match(String(updates.at(-1)?.content.data["text/html"]), /<progress value="4" max="4"/);
  });
});
