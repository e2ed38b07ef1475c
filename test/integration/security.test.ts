import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "node:net";
import WebSocket from "ws";
import { rawRequest, startServer, type RunningServer } from "../support/server.ts";

/** Opens a WebSocket and resolves with "open" or the HTTP status that refused it. */
function tryWebSocket(url: string, headers: Record<string, string>): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("error", (e) => reject(e));
  });
}

function cookiesFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("security baseline", () => {
  let server: RunningServer;
  let kernelId: string;
  const auth = () => ({ Authorization: `token ${server.token}` });

  before(async () => {
    server = await startServer({ web: false, env: { LIGHTBOOK_LOG_LEVEL: "debug", LIGHTBOOK_ALLOW_ORIGINS: "https://beamline.example" } });
    const res = await fetch(`${server.url}api/kernels`, { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: "{}" });
    assert.equal(res.status, 201);
    kernelId = ((await res.json()) as { id: string }).id;
  });
  after(() => server.dispose());

  test("every API route answers 401 without a token or session", async () => {
    const routes: [string, string][] = [
      ["GET", "api"],
      ["GET", "api/kernelspecs"],
      ["GET", "api/kernels"],
      ["POST", "api/kernels"],
      ["GET", `api/kernels/${kernelId}`],
      ["POST", `api/kernels/${kernelId}/interrupt`],
      ["DELETE", `api/kernels/${kernelId}`],
      ["GET", "api/sessions"],
      ["POST", "api/sessions"],
      ["GET", "api/contents"],
      ["PUT", "api/contents/x.ipynb"],
      ["GET", "api/lightbook/agents"],
      ["POST", "api/lightbook/notebooks/Welcome.ipynb/executions"],
      ["GET", "api/lightbook/notebooks/Welcome.ipynb/executions"],
      ["POST", "api/lightbook/notebooks/Welcome.ipynb/outputs/clear"],
      ["GET", "api/no-such-thing"],
    ];
    for (const [method, path] of routes) {
      const res = await fetch(`${server.url}${path}`, { method });
      assert.equal(res.status, 401, `${method} /${path}`);
      assert.match(((await res.json()) as { message: string }).message, /Authentication required/);
    }
    const wrong = await fetch(`${server.url}api/kernels`, { headers: { Authorization: "token not-the-token" } });
    assert.equal(wrong.status, 401);
  });

  test("pages without credentials redirect to the login form", async () => {
    const res = await fetch(`${server.url}notebooks/Welcome.ipynb`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.match(res.headers.get("location") ?? "", /^\/login\?next=/);
    const login = await fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams({ token: "wrong", next: "/" }), redirect: "manual" });
    assert.equal(login.status, 401);
  });

  test("kernel WebSocket needs a token or session, and an allowed origin", async () => {
    const ws = `${server.url.replace(/^http/, "ws")}api/kernels/${kernelId}/channels`;
    assert.equal(await tryWebSocket(ws, {}), 401);
    assert.equal(await tryWebSocket(`${ws}?token=wrong`, {}), 401);
    assert.equal(await tryWebSocket(`${ws}?token=${server.token}`, {}), "open");
    const page = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    const cookie = cookiesFrom(page);
    const own = new URL(server.url).origin;
    assert.equal(await tryWebSocket(ws, { Cookie: cookie, Origin: own }), "open");
    assert.equal(await tryWebSocket(ws, { Cookie: cookie, Origin: "https://evil.example" }), 403);
    assert.equal(await tryWebSocket(ws, { Cookie: cookie, Origin: "https://beamline.example" }), "open");
    // A cookie alone, without an Origin header, is not enough: scripts must present the token.
    assert.equal(await tryWebSocket(ws, { Cookie: cookie }), 403);
    assert.equal(await tryWebSocket(`${server.url.replace(/^http/, "ws")}api/kernels/no-such-kernel/channels?token=${server.token}`, {}), 404);
  });

  test("a client that resets its WebSocket upgrade cannot crash the server", async () => {
    const { hostname, port } = new URL(server.url);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            `GET /api/kernels/no-such-kernel/channels?token=${server.token} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    // The same upgrade, made in full after the resets, is answered: the server read past them.
    assert.equal(await tryWebSocket(`${server.url.replace(/^http/, "ws")}api/kernels/no-such-kernel/channels?token=${server.token}`, {}), 404);
    assert.equal((await fetch(`${server.url}api`, { headers: auth() })).status, 200, "the server still answers");
  });

  test("a kernel WebSocket URL with malformed percent-encoding is answered 400 and closed (was an uncaught exception and a hung socket)", async () => {
    const { hostname, port } = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          `GET /api/kernels/%E0%A4%A/channels?token=${server.token} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let text = "";
      socket.setEncoding("utf8").on("data", (d: string) => (text += d));
      // The server ends the connection: 'end' comes only then.
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(reply, /"message":"Invalid percent-encoding in the kernel id"/);
    assert.equal((await fetch(`${server.url}api`, { headers: auth() })).status, 200, "the server still answers");
    assert.doesNotMatch(server.stderr(), /URIError/);
  });

  test("very long data and h5grove paths are 400 saying the limit (were 500: ENAMETOOLONG)", async () => {
    const long = `${"folder/".repeat(200)}scan.h5`;
    for (const p of [`/api/lightbook/data/tree/${long}`, `/api/lightbook/data/files/${long}`, `/api/lightbook/data/files/${"n".repeat(300)}.h5`]) {
      const res = await rawRequest(server, "GET", p, auth());
      assert.equal(res.status, 400, `${p.slice(0, 40)}: ${res.body}`);
      assert.match((JSON.parse(res.body) as { message: string }).message, /^Invalid path: .* bytes long; at most (1024|255) are accepted$/);
    }
    for (const what of ["meta", "data"]) {
      const res = await fetch(`${server.url}api/lightbook/h5grove/${what}/?${new URLSearchParams({ file: long, path: "/" })}`, { headers: auth() });
      assert.equal(res.status, 400, what);
      assert.match(((await res.json()) as { message: string }).message, /the path is 1407 bytes long; at most 1024 are accepted/);
    }
  });

  test("a run body over 16 MB is 413 naming the limit, before anything is stored; a notebook-sized file still saves", async () => {
    const json = { ...auth(), "Content-Type": "application/json" };
    const items = Array.from({ length: 150_000 }, (_, i) => `scans/${"x".repeat(120)}_${i}.h5`);
    const recipe = { name: "too big", steps: [{ id: "s", kind: "items", items, algorithm: "noop" }] };
    const res = await fetch(`${server.url}api/lightbook/runs`, { method: "POST", headers: json, body: JSON.stringify(recipe) });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { message: string }).message, /^request body of \d+ bytes is over this endpoint's limit of 16777216 bytes$/);
    const runs = (await (await fetch(`${server.url}api/lightbook/runs`, { headers: auth() })).json()) as { name: string }[];
    assert.ok(!runs.some((r) => r.name === "too big"), "nothing stored");
    const file = { type: "file", format: "text", content: "y".repeat(20 * 2 ** 20) };
    const saved = await fetch(`${server.url}api/contents/big.txt`, { method: "PUT", headers: json, body: JSON.stringify(file) });
    assert.equal(saved.status, 201, await saved.text());
  });

  test("the token URL logs a browser in with cookies and drops the token from the address", async () => {
    const res = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/");
    const setCookies = res.headers.getSetCookie();
    assert.ok(
      setCookies.some((c) => /^lightbook-session=.+HttpOnly/i.test(c)),
      setCookies.join(" | "),
    );
    assert.ok(setCookies.some((c) => /^_xsrf=/.test(c)));
    const cookie = cookiesFrom(res);
    const list = await fetch(`${server.url}api/contents`, { headers: { Cookie: cookie } });
    assert.equal(list.status, 200);
    const forged = await fetch(`${server.url}api/contents`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: "{}" });
    assert.equal(forged.status, 403);
    assert.match(((await forged.json()) as { message: string }).message, /XSRF/);
    const xsrf = /_xsrf=([^;]+)/.exec(cookie)![1]!;
    const wrongXsrf = await fetch(`${server.url}api/contents`, {
      method: "POST",
      headers: { Cookie: cookie, "X-XSRFToken": "nope", "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(wrongXsrf.status, 403);
    const ok = await fetch(`${server.url}api/contents`, {
      method: "POST",
      headers: { Cookie: cookie, "X-XSRFToken": xsrf, "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(ok.status, 201);
    // The session cookie is a random id looked up by its hash: a changed character names no session.
    const tampered = cookie.replace(/lightbook-session=([^;]+)/, (_m, id: string) => `lightbook-session=${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}`);
    assert.equal((await fetch(`${server.url}api/contents`, { headers: { Cookie: tampered } })).status, 401);
  });

  test("errors carry a JSON message and never a stack trace", async () => {
    const responses = [
      await fetch(`${server.url}api/kernels`, { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: "{not json" }),
      await fetch(`${server.url}api/kernels`, {
        method: "POST",
        headers: { ...auth(), "Content-Type": "application/json" },
        body: JSON.stringify({ name: 7 }),
      }),
      await fetch(`${server.url}api/sessions/nope`, { headers: auth() }),
      await fetch(`${server.url}api/contents/nope.ipynb`, { headers: auth() }),
    ];
    for (const res of responses) {
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      const text = await res.text();
      const body = JSON.parse(text) as { message: string };
      assert.ok(body.message.length > 0);
      assert.doesNotMatch(text, /\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/);
    }
  });

  test("the token never appears in the server's logs", async () => {
    await fetch(`${server.url}api/contents?token=${server.token}`);
    await fetch(`${server.url}api/nothing-here?token=${server.token}`);
    await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    assert.ok(server.stderr().length > 0, "the server logged something");
    assert.ok(!server.stderr().includes(server.token), "token found in the logs");
    // It is printed once, in the URL a user opens (as Jupyter does), on stdout only.
    assert.equal(server.stdout().split(server.token).length - 1, 1);
  });
});
