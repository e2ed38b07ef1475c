import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import type { Principal } from "../../contracts/accounts.ts";
import { Accounts } from "../../server/accounts/accounts.ts";
import { hashPassword, verifyPassword } from "../../server/accounts/passwords.ts";
import { Auth } from "../../server/auth/auth.ts";
import { scopeRefusal } from "../../server/auth/scopes.ts";
import { createDb } from "../../server/db/client.ts";
import { sameOriginPath } from "../../server/auth/next-path.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

function req(init: { url?: string; method?: string; headers?: Record<string, string> }): IncomingMessage {
  return { url: init.url ?? "/", method: init.method ?? "GET", headers: init.headers ?? {} } as IncomingMessage;
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((c) => c.split(";")[0]).join("; ");
}

// No query reaches this database: the server's token and the XSRF and origin rules need none.
const accounts = new Accounts(createDb("postgresql://nobody@127.0.0.1:1/none"));
const admin = { id: "00000000-0000-4000-8000-000000000000", username: "admin", role: "admin", hasPassword: false, disabled: false } as const;
const principal = (credential: Principal["credential"], scopes: Principal["scopes"] = null): Principal => ({
  userId: admin.id,
  username: "admin",
  role: "admin",
  credential,
  sessionKey: credential === "session" ? "k" : null,
  scopes,
  proposalIds: null,
});

test("the server's token is accepted in the Authorization header or the query, as the bootstrap admin", async () => {
  const auth = new Auth(accounts, TOKEN, admin, []);
  for (const r of [
    req({ headers: { authorization: `token ${TOKEN}` } }),
    req({ headers: { authorization: `Bearer ${TOKEN}` } }),
    req({ url: `/api?token=${TOKEN}` }),
  ])
    assert.deepEqual(await auth.authenticate(r), { kind: "ok", principal: principal("server_token") });
  assert.equal((await auth.authenticate(req({ headers: { authorization: `token ${TOKEN}x` } }))).kind, "refused");
  assert.equal((await auth.authenticate(req({}))).kind, "none");
});

test("cookie-authenticated writes need the XSRF header (or form field); token requests and reads do not", () => {
  const auth = new Auth(accounts, TOKEN, admin, []);
  const cookie = cookieHeader([auth.xsrfCookie(false)]);
  const xsrf = /_xsrf=([^;]+)/.exec(cookie)![1]!;
  const session = principal("session");
  assert.equal(auth.xsrfOk(req({ method: "GET", headers: { cookie } }), session), true);
  assert.equal(auth.xsrfOk(req({ method: "POST", headers: { cookie } }), session), false);
  assert.equal(auth.xsrfOk(req({ method: "DELETE", headers: { cookie, "x-xsrftoken": "other" } }), session), false);
  assert.equal(auth.xsrfOk(req({ method: "PUT", headers: { cookie, "x-xsrftoken": xsrf } }), session), true);
  assert.equal(auth.xsrfOk(req({ method: "POST", headers: { cookie } }), session, xsrf), true);
  assert.equal(auth.xsrfOk(req({ method: "POST" }), principal("server_token")), true);
  assert.equal(auth.xsrfOk(req({ method: "POST" }), principal("api_token", ["write"])), true);
});

test("WebSocket origins: same host or the allow-list", () => {
  const auth = new Auth(accounts, TOKEN, admin, ["https://beamline.example"]);
  const cookie = principal("session");
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "http://127.0.0.1:8888" } }), cookie), true);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "http://127.0.0.1:8889" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "https://beamline.example" } }), cookie), true);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888", origin: "null" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888" } }), cookie), false);
  assert.equal(auth.originOk(req({ headers: { host: "127.0.0.1:8888" } }), principal("server_token")), true);
});

test("an API token reaches only what its scopes name", () => {
  assert.equal(scopeRefusal(principal("api_token", ["read"]), "GET", "/api/contents"), null);
  assert.match(scopeRefusal(principal("api_token", ["read"]), "PUT", "/api/contents/a.ipynb") ?? "", /scopes \(read\) do not include "write"/);
  assert.match(scopeRefusal(principal("api_token", ["read", "write"]), "POST", "/api/kernels") ?? "", /"execute"/);
  assert.match(scopeRefusal(principal("api_token", ["read"]), "GET", "/api/kernels/k/channels") ?? "", /"execute"/);
  assert.match(scopeRefusal(principal("api_token", ["write"]), "POST", "/api/lightbook/runs") ?? "", /"runs"/);
  assert.match(scopeRefusal(principal("api_token", ["read"]), "GET", "/api/lightbook/tokens") ?? "", /"tokens"/);
  assert.equal(scopeRefusal(principal("session"), "DELETE", "/api/lightbook/tokens/x"), null);
});

test("password hashes carry their parameters, verify in constant time, and refuse anything else", async () => {
  const hash = await hashPassword("correct horse battery staple");
  assert.match(hash, /^scrypt\$N=32768,r=8,p=3\$[\w-]+\$[\w-]+$/);
  assert.equal(await verifyPassword("correct horse battery staple", hash), true);
  assert.equal(await verifyPassword("correct horse battery stapl", hash), false);
  assert.notEqual(await hashPassword("correct horse battery staple"), hash, "a fresh salt each time");
  assert.equal(await verifyPassword("x", "scrypt$N=3,r=8,p=1$AAAA$AAAA"), false, "N not a power of two");
  assert.equal(await verifyPassword("x", "plain"), false);
});

test("after login only a same-origin path is followed; everything else goes to /", () => {
  const kept: [string, string][] = [
    ["/", "/"],
    ["/notebooks/a%20b.ipynb", "/notebooks/a%20b.ipynb"],
    ["/?dir=beamtime", "/?dir=beamtime"],
    ["/runs/7#tasks", "/runs/7#tasks"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%5Cevil.example", "/%5Cevil.example"],
  ];
  for (const [next, expected] of kept) assert.equal(sameOriginPath(next), expected, next);
  const refused = [
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "%2F%2Fevil.example",
    "/.//evil.example",
    "/..//evil.example",
    "/./\\evil.example",
    "evil.example",
    "",
    "/\u0085/evil",
  ];
  for (const next of refused) assert.equal(sameOriginPath(next), "/", JSON.stringify(next));
  assert.equal(sameOriginPath(undefined), "/");
  assert.equal(sameOriginPath(["/a"]), "/");
});
