import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { Auth } from "../../server/auth/auth.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

function req(init: { url?: string; method?: string; headers?: Record<string, string> }): IncomingMessage {
  return { url: init.url ?? "/", method: init.method ?? "GET", headers: init.headers ?? {} } as IncomingMessage;
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((c) => c.split(";")[0]).join("; ");
}

test("the token is accepted in the Authorization header or the query, nothing else", () => {
  const auth = new Auth(TOKEN, []);
  assert.deepEqual(auth.authenticate(req({ headers: { authorization: `token ${TOKEN}` } })), { kind: "token" });
  assert.deepEqual(auth.authenticate(req({ headers: { authorization: `Bearer ${TOKEN}` } })), { kind: "token" });
  assert.deepEqual(auth.authenticate(req({ url: `/api?token=${TOKEN}` })), { kind: "token" });
  assert.equal(auth.authenticate(req({ headers: { authorization: `token ${TOKEN}x` } })), null);
  assert.equal(auth.authenticate(req({})), null);
});

test("session cookies are signed with the token and expire", () => {
  const auth = new Auth(TOKEN, []);
  const cookie = cookieHeader(auth.loginCookies(false));
  assert.deepEqual(auth.authenticate(req({ headers: { cookie } })), { kind: "cookie" });
  assert.equal(new Auth(`${TOKEN}-other`, []).authenticate(req({ headers: { cookie } })), null, "another token's session");
  assert.equal(auth.authenticate(req({ headers: { cookie: "lightbook-session=1.abc" } })), null, "expired and forged");
});

test("cookie-authenticated writes need the XSRF header; token requests and reads do not", () => {
  const auth = new Auth(TOKEN, []);
  const cookie = cookieHeader(auth.loginCookies(false));
  const xsrf = /_xsrf=([^;]+)/.exec(cookie)![1]!;
  assert.equal(auth.xsrfOk(req({ method: "GET", headers: { cookie } }), { kind: "cookie" }), true);
  assert.equal(auth.xsrfOk(req({ method: "POST", headers: { cookie } }), { kind: "cookie" }), false);
  assert.equal(auth.xsrfOk(req({ method: "DELETE", headers: { cookie, "x-xsrftoken": "other" } }), { kind: "cookie" }), false);
  assert.equal(auth.xsrfOk(req({ method: "PUT", headers: { cookie, "x-xsrftoken": xsrf } }), { kind: "cookie" }), true);
  assert.equal(auth.xsrfOk(req({ method: "POST" }), { kind: "token" }), true);
});

test("WebSocket origins: same host or the allow-list", () => {
  const auth = new Auth(TOKEN, ["https://beamline.example"]);
  const cookie = { kind: "cookie" } as const;
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "http://127.0.0.1:8888" } }), cookie), true);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "http://127.0.0.1:8889" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "https://beamline.example" } }), cookie), true);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "null" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888" } }), { kind: "token" }), true);
});
