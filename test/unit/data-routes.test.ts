import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { get, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import express from "express";
import pino from "pino";
import { dataRoutes } from "../../server/data/routes.ts";
import { errorHandler } from "../../server/http/errors.ts";
import { AccessResolver } from "../../server/auth/authorizer.ts";
import type { Principal } from "../../contracts/accounts.ts";

/** The routes' own checks (paths, escapes) under an admin, whom the authorizer lets through. */
const ADMIN: Principal = { userId: "u", username: "admin", role: "admin", credential: "server_token", sessionKey: null, scopes: null, proposalIds: null };

let base: string;
let url: string;
let close: () => void;
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

before(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), "lightbook-data-routes-")));
  const root = path.join(base, "data");
  await mkdir(path.join(root, "demo"), { recursive: true });
  await writeFile(path.join(root, "demo", "scan_0001.h5"), BYTES);
  await writeFile(path.join(base, "secret"), "TOP-SECRET-BYTES");
  await symlink(path.join(base, "secret"), path.join(root, "secret-link"));
  const app = express()
    .use((_req, res, next) => {
      res.locals.principal = ADMIN;
      next();
    })
    .use(dataRoutes(root, new AccessResolver(async () => [])))
    .use(errorHandler(pino({ level: "silent" })));
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/lightbook/data`;
  close = () => server.close();
});
after(async () => {
  close();
  await rm(base, { recursive: true, force: true });
});

test("tree lists folders first and leaves out symlinks that escape", async () => {
  const root = await (await fetch(`${url}/tree`)).json();
  assert.deepEqual(root, { path: "", entries: [{ name: "demo", path: "demo", kind: "directory", size: 0, last_modified: root.entries[0].last_modified }] });
  const demo = await (await fetch(`${url}/tree/demo`)).json();
  assert.deepEqual(
    demo.entries.map((e: { path: string; size: number }) => [e.path, e.size]),
    [["demo/scan_0001.h5", 1000]],
  );
});

test("files serve whole files and byte ranges", async () => {
  const whole = await fetch(`${url}/files/demo/scan_0001.h5`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get("accept-ranges"), "bytes");
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), BYTES);
  const part = await fetch(`${url}/files/demo/scan_0001.h5`, { headers: { Range: "bytes=100-199" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 100-199/1000");
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), BYTES.subarray(100, 200));
});

/** A GET with the path sent byte for byte (fetch would resolve "%2e%2e" segments itself). */
async function rawGet(pathAndQuery: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get({ host: "127.0.0.1", port, path: `/api/lightbook/data/${pathAndQuery}` }, resolve).on("error", reject),
  );
  let body = "";
  for await (const chunk of res) body += String(chunk);
  return { status: res.statusCode ?? 0, body };
}

test("escapes are answered with 400/403 and no bytes", async () => {
  for (const [p, status] of [
    ["files/secret-link", 403],
    ["files/%2e%2e/secret", 400],
    ["files/demo/%2e%2e/%2e%2e/secret", 400],
    ["files//etc/passwd", 400],
    ["tree/demo/scan_0001.h5", 400],
    ["files/demo", 400],
    ["files/missing", 404],
  ] as const) {
    const res = await rawGet(p);
    assert.equal(res.status, status, p);
    assert.doesNotMatch(res.body, /TOP-SECRET/, p);
  }
});
