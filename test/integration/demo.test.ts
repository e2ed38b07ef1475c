import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { ContentsManager, KernelManager, SessionManager, type KernelMessage } from "@jupyterlab/services";
import { serverSettings } from "../support/jupyter.ts";
import { startServer, type RunningServer } from "../support/server.ts";

let server: RunningServer;

before(async () => {
  server = await startServer({ web: false });
});
after(() => server.dispose());

/** Frame totals of the demo scan as h5py (Debian's python3-h5py) reads them: an independent reader. */
function totalsFromH5py(file: string): number[] {
  const script =
    "import h5py,sys,json\nwith h5py.File(sys.argv[1],'r') as f:\n d=f['entry/data/data']\n print(json.dumps([int(d[i].sum(dtype='uint64')) for i in range(d.shape[0])]))";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" })) as number[];
}

test("the welcome notebook runs top to bottom and reads the demo scan as h5py does", async () => {
  const settings = serverSettings(server);
  const contents = new ContentsManager({ serverSettings: settings });
  const kernels = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ serverSettings: settings, kernelManager: kernels });
  try {
    const nb = (await contents.get("Welcome.ipynb")).content as { cells: { id: string; cell_type: string; source: string }[] };
    const session = await sessions.startNew({ path: "Welcome.ipynb", name: "Welcome.ipynb", type: "notebook", kernel: { name: "lightbook-ts" } });
    const kernel = session.kernel!;
    const results = new Map<string, { text: string; value: unknown }>();
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      let text = "";
      let value: unknown;
      const future = kernel.requestExecute({ code: cell.source });
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        if (msg.header.msg_type === "stream") text += (msg.content as { text: string }).text;
        if (msg.header.msg_type === "execute_result") value = (msg.content as { data: Record<string, unknown> }).data["text/plain"];
        if (msg.header.msg_type === "error") text += JSON.stringify(msg.content);
      };
      const reply = await future.done;
      assert.equal(reply.content.status, "ok", `cell ${cell.id}: ${text}`);
      results.set(cell.id, { text, value });
    }
    assert.equal(results.get("hello")?.text, "Hello from the demo beamline\n");
    assert.equal(results.get("hello")?.value, "42");
    assert.equal(results.get("open-scan")?.value, "[ 8, 256, 256 ]");
    const totals = JSON.parse(String(results.get("totals")?.value).replace(/\s+/g, "")) as number[];
    assert.deepEqual(totals, totalsFromH5py(path.join(server.stateDir, "data", "demo", "scan_0001.h5")));
    assert.ok(
      totals.every((t, i) => i === 0 || t > totals[i - 1]!),
      "ring intensity grows through the scan",
    );
  } finally {
    sessions.dispose();
    kernels.dispose();
    contents.dispose();
  }
});
