import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ContentsManager, KernelManager, type KernelMessage, SessionManager } from "@jupyterlab/services";
import { serverSettings } from "../support/jupyter.ts";
import { type RunningServer, startServer } from "../support/server.ts";

let server: RunningServer;

before(async () => {
  server = await startServer({ web: false });
});
after(() => server.dispose());

const NOTEBOOK = "Azimuthal integration.ipynb";
/** Ring radii (pixels) and geometry that server/demo/demo-scan.ts draws the demo scan with. */
const RING_RADII = [38, 61, 87, 104];
const DISTANCE = 0.12;
const PIXEL = 75e-6;

test("the integration notebook runs top to bottom, plots with vega-lite, finds the powder scan's rings and the grid scan's crystal", async () => {
  const settings = serverSettings(server);
  const contents = new ContentsManager({ serverSettings: settings });
  const kernels = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  try {
    const nb = (await contents.get(NOTEBOOK)).content as { cells: { id: string; cell_type: string; source: string }[] };
    const session = await sessions.startNew({ path: NOTEBOOK, name: NOTEBOOK, type: "notebook", kernel: { name: "lightbook-ts" } });
    const kernel = session.kernel!;
    const results = new Map<string, string>();
    let charts = 0;
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      let text = "";
      const future = kernel.requestExecute({ code: cell.source });
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        const content = msg.content as { text?: string; data?: Record<string, unknown> };
        if (msg.header.msg_type === "stream" || msg.header.msg_type === "error") text += content.text ?? JSON.stringify(content);
        if (msg.header.msg_type === "execute_result") text += String(content.data?.["text/plain"]);
        if (msg.header.msg_type === "display_data" && content.data?.["application/vnd.vegalite.v5+json"]) charts++;
      };
      const reply = await future.done;
      assert.equal(reply.content.status, "ok", `cell ${cell.id}: ${text}`);
      results.set(cell.id, text);
    }
    assert.equal(charts, 4, "pattern, cake and two grid heatmaps are vega-lite displays");
    // Each ring's peak bin holds the ring's 2θ: within one bin width (6.6° / 300 bins ≈ 0.022°).
    const found = [...results.get("rings")!.matchAll(/twoTheta: ([\d.]+)/g)].map((m) => Number(m[1]));
    const expected = RING_RADII.map((r) => (Math.atan((r * PIXEL) / DISTANCE) * 180) / Math.PI);
    assert.equal(found.length, expected.length, `rings found at ${found.join(", ")}°`);
    found.forEach((t, i) => assert.ok(Math.abs(t - expected[i]!) < 0.025, `ring ${i}: ${t}° vs ${expected[i]}°`));
    // The grid scan's best frame sees the whole crystal (server/demo/demo-grid.ts): many spots, and a
    // resolution estimate of a few Å (its reflections fade with B = 22 Å² and reach the detector's corners at ~2.3 Å).
    const best = results.get("spots")!;
    const count = Number(/spotCount: (\d+)/.exec(best)?.[1]);
    const dMin = Number(/estimatedDMin: ([\d.]+)/.exec(best)?.[1]);
    assert.ok(count > 50, best);
    assert.ok(dMin > 2.2 && dMin < 4, best);
  } finally {
    sessions.dispose();
    kernels.dispose();
    contents.dispose();
  }
});
