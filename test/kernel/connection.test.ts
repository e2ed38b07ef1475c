import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { allocateConnection, endpoint, readConnectionFile, writeConnectionFile } from "../../kernel/protocol/connection.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "lightbook-conn-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("allocateConnection", () => {
  it("picks five distinct ports and a 256-bit hex key", async () => {
    const conn = await allocateConnection("127.0.0.1", "lightbook-ts");
    const ports = [conn.shell_port, conn.iopub_port, conn.stdin_port, conn.control_port, conn.hb_port];
    assert.equal(new Set(ports).size, 5);
    for (const port of ports) assert.ok(port > 0 && port < 65536);
    assert.match(conn.key, /^[0-9a-f]{64}$/);
    assert.equal(conn.kernel_name, "lightbook-ts");
    assert.equal(endpoint(conn, "hb"), `tcp://127.0.0.1:${conn.hb_port}`);
  });
});

describe("readConnectionFile", () => {
  it("reads back what writeConnectionFile wrote, owner-only", async () => {
    const conn = await allocateConnection();
    const path = join(dir, "kernel-ok.json");
    await writeConnectionFile(path, conn);
    assert.deepEqual(await readConnectionFile(path), conn);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it("fills the defaults jupyter_client leaves out", async () => {
    const path = join(dir, "kernel-minimal.json");
    const ports = { shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };
    await writeFile(path, JSON.stringify({ ip: "127.0.0.1", key: "k", ...ports }));
    const conn = await readConnectionFile(path);
    assert.equal(conn.transport, "tcp");
    assert.equal(conn.signature_scheme, "hmac-sha256");
    assert.equal(conn.kernel_name, "");
  });

  it("names the file and the bad field", async () => {
    const path = join(dir, "kernel-bad.json");
    const conn = await allocateConnection();
    await writeFile(path, JSON.stringify({ ...conn, iopub_port: "x" }));
    await assert.rejects(readConnectionFile(path), {
      name: "ConnectionFileError",
      message: `connection file ${path}: iopub_port must be an integer port 1..65535, got "x"`,
    });
    await writeFile(path, JSON.stringify({ ...conn, signature_scheme: "hmac-md5" }));
    await assert.rejects(readConnectionFile(path), /signature_scheme "hmac-md5" is not supported/);
    await writeFile(path, "{not json");
    await assert.rejects(readConnectionFile(path), /is not JSON/);
    await assert.rejects(readConnectionFile(join(dir, "missing.json")), /cannot read connection file/);
  });
});
