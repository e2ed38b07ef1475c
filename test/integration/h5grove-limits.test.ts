// One h5grove request cannot stall or bloat the server (issue 12): what a read would decode is
// capped by LIGHTBOOK_MAX_READ_BYTES (a kB file declaring 1 GiB of gzip chunks is refused with 413
// before anything is decoded), and reads run in worker threads, so /api answers while one is in flight.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { makeFixture } from "../analysis/fixtures.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const LIMIT = 64 * 2 ** 20;

/** The server's peak resident memory (its threads included), from the kernel. */
async function peakRss(server: RunningServer): Promise<number> {
  const status = await readFile(`/proc/${server.process.pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

/** Resolves once the server has logged a line matching `pattern`. */
function logged(server: RunningServer, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!pattern.test(server.stderr())) return;
      server.process.stderr!.off("data", check);
      resolve();
    };
    server.process.stderr!.on("data", check);
    check();
  });
}

describe("h5grove read limits", () => {
  let server: RunningServer;
  let root: string;
  const auth = { Authorization: "" };
  const api = (what: string, params: Record<string, string>) =>
    fetch(`${server.url}api/lightbook/h5grove/${what}/?${new URLSearchParams(params)}`, { headers: auth });

  before(async () => {
    server = await startServer({
      web: false,
      env: { LIGHTBOOK_DEMO: "0", LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_MAX_READ_BYTES: String(LIMIT), LIGHTBOOK_LOG_LEVEL: "debug" },
    });
    auth.Authorization = `token ${server.token}`;
    root = path.join(server.stateDir, "data");
    await makeFixture(root, "bomb", "bomb.h5");
    await makeFixture(root, "bomb", "small.h5", "--size", "1024");
  });
  after(() => server.dispose());

  test("a kB file declaring 4 x 16384² of gzip is 413 with the limit and how to select a slice; the server's memory stays put", async () => {
    assert.ok((await readFile(path.join(root, "bomb.h5"))).length < 4096, "the file is a few kB");
    // Starts a worker (h5wasm loaded) and reads within the limit: 4 frames of 1024², 4 MiB.
    const meta = (await (await api("meta", { file: "bomb.h5", path: "/data" })).json()) as { shape: number[]; chunks: number[] };
    assert.deepEqual(
      [meta.shape, meta.chunks],
      [
        [4, 16384, 16384],
        [1, 16384, 16384],
      ],
    );
    const allowed = await api("data", { file: "small.h5", path: "/data", format: "bin" });
    assert.equal(allowed.status, 200);
    assert.equal((await allowed.arrayBuffer()).byteLength, 4 * 1024 * 1024);
    const before = await peakRss(server);

    for (const [params, decoded] of [
      [{ format: "bin" }, "1024.0 MiB"],
      [{ format: "npy" }, "1024.0 MiB"],
      // JSON is counted by what making its text holds: 32 bytes a value.
      [{ format: "json", selection: "0" }, "8192.0 MiB"],
      // One element needs its whole chunk decoded.
      [{ format: "bin", selection: "0,0,0" }, "256.0 MiB"],
    ] as const) {
      const res = await api("data", { file: "bomb.h5", path: "/data", ...params });
      assert.equal(res.status, 413, JSON.stringify(params));
      const { message } = (await res.json()) as { message: string };
      assert.equal(
        message,
        `Reading /data${"selection" in params ? `[${params.selection}]` : ""} in bomb.h5 would decode ${decoded}, more than the 64.0 MiB one request may read (LIGHTBOOK_MAX_READ_BYTES). Select a slice with the selection parameter, e.g. selection=0,0:256,: for part of the first frame; each chunk (1x16384x16384, 256.0 MiB) is decoded whole.`,
      );
    }
    // Each refused read would have made a chunk of 256 MiB at least.
    const grown = (await peakRss(server)) - before;
    assert.ok(grown < 64 * 2 ** 20, `peak RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
  });

  test("/api answers while a read is in flight: reads run off the server's thread", async () => {
    // A FIFO: opening it to read waits until this test opens it to write, so the read lasts as long as the test wants.
    await promisify(execFile)("mkfifo", [path.join(root, "stalled.h5")]);
    let readDone = false;
    const stalled = api("meta", { file: "stalled.h5", path: "/" }).then((res) => {
      readDone = true;
      return res;
    });
    await logged(server, /"file":"stalled\.h5".*"msg":"HDF5 read sent to a worker"/);
    const status = await fetch(`${server.url}api`, { headers: auth });
    assert.equal(status.status, 200);
    assert.equal(readDone, false, "the read was still in flight when /api answered");
    // Opening the FIFO to write releases the worker's open; closing it gives an empty, non-HDF5 file.
    const writer = await open(path.join(root, "stalled.h5"), "w");
    await writer.close();
    const res = await stalled;
    assert.equal(res.status, 422);
    assert.match(((await res.json()) as { message: string }).message, /cannot open as HDF5/);
  });
});
