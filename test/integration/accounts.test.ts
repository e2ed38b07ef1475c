// Issue 13, items 1 and 7: local accounts, login sessions, the first start's one-time link and
// personal API tokens, against the real server and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { Accounts } from "../../server/accounts/accounts.ts";
import { createDb, type Db } from "../../server/db/client.ts";
import { SESSION_ENDED } from "../../server/auth/session-sockets.ts";
import { createdToken, tokenList } from "../../contracts/accounts.ts";
import { CookieJar } from "../support/cookies.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const PASSWORD = "a long admin password";

describe("accounts and login sessions", () => {
  let server: RunningServer;
  let db: Db;

  const login = (username: string, password: string) =>
    fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams({ username, password, next: "/account" }), redirect: "manual" });
  const me = async (headers: Record<string, string>) => {
    const res = await fetch(`${server.url}api/lightbook/me`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** A browser's session, logged in with a password. */
  const session = async (username = "admin", password = PASSWORD) => {
    const res = await login(username, password);
    assert.equal(res.status, 303, await res.text());
    const jar = new CookieJar().take(res);
    return { jar, cookie: jar.header(), xsrf: jar.get("_xsrf")! };
  };

  before(async () => {
    server = await startServer({ web: false, env: { LIGHTBOOK_LOGIN_ATTEMPTS: "3", LIGHTBOOK_LOGIN_ATTEMPTS_PER_ADDRESS: "8" } });
    db = createDb(server.databaseUrl);
  });
  after(async () => {
    await db.$disconnect();
    await server.dispose();
  });

  test("the first start creates the admin and prints a login URL that works once, and the admin sets a password", async () => {
    const m = /First start: created the admin account "admin"\. Open (\S+) once/.exec(server.stdout());
    assert.ok(m, server.stdout());
    const first = await fetch(m[1]!, { redirect: "manual" });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get("location"), "/account");
    const jar = new CookieJar().take(first);
    const cookieLine = first.headers.getSetCookie().find((c) => c.startsWith("lightbook-session="))!;
    assert.match(cookieLine, /HttpOnly/i);
    assert.match(cookieLine, /SameSite=Lax/i);
    assert.deepEqual((await me({ cookie: jar.header() })).body, {
      ...(await me({ cookie: jar.header() })).body,
      username: "admin",
      role: "admin",
      credential: "session",
    });
    const again = await fetch(m[1]!, { redirect: "manual" });
    assert.equal(again.status, 401);
    assert.match(await again.text(), /already used or has expired/);

    const page = await fetch(`${server.url}account`, { headers: { cookie: jar.header() } });
    assert.match(await page.text(), /Set a password/);
    const noXsrf = await fetch(`${server.url}account/password`, {
      method: "POST",
      headers: { cookie: jar.header() },
      body: new URLSearchParams({ password: PASSWORD }),
    });
    assert.equal(noXsrf.status, 403);
    const short = await fetch(`${server.url}account/password`, {
      method: "POST",
      headers: { cookie: jar.header() },
      body: new URLSearchParams({ password: "short", _xsrf: jar.get("_xsrf")! }),
    });
    assert.equal(short.status, 400);
    const set = await fetch(`${server.url}account/password`, {
      method: "POST",
      headers: { cookie: jar.header() },
      body: new URLSearchParams({ password: PASSWORD, _xsrf: jar.get("_xsrf")! }),
    });
    assert.equal(set.status, 200);
    assert.match(await set.text(), /The password is saved/);
  });

  test("a wrong password and an unknown user get the same answer; the right password logs in", async () => {
    const wrong = await login("admin", "not the password");
    const unknown = await login("nobody-here", "not the password");
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.headers.getSetCookie().length, 0);
    // The form echoes the username typed; apart from that the pages are identical.
    assert.equal((await wrong.text()).replace('value="admin"', "U"), (await unknown.text()).replace('value="nobody-here"', "U"));
    const { cookie } = await session();
    assert.equal((await me({ cookie })).body.username, "admin");
  });

  test("failed logins are limited per account, also for unknown accounts, and then per address", async () => {
    const accounts = new Accounts(db);
    await accounts.createUser({ username: "alice", role: "user", password: "alice's long password" });
    for (let i = 0; i < 3; i++) assert.equal((await login("alice", "guess")).status, 401);
    const blocked = await login("alice", "alice's long password");
    assert.equal(blocked.status, 429, "even the right password waits");
    assert.match(await blocked.text(), /Too many failed logins; try again in \d+ seconds/);
    assert.ok(Number(blocked.headers.get("retry-after")) > 0);
    for (let i = 0; i < 3; i++) assert.equal((await login("ghost", "guess")).status, 401);
    assert.equal((await login("ghost", "guess")).status, 429, "an unknown account is limited like a real one");
    // 2 + 3 + 3 failures from this address so far, its limit of 8: now nobody logs in from here.
    const fromAddress = await login("admin", PASSWORD);
    assert.equal(fromAddress.status, 429);
  });

  test("personal API tokens: shown once, scoped, listed without the secret, revocable, expiring, owner only", async () => {
    const { cookie, xsrf } = await (async () => {
      // The address is blocked for password logins now (previous test): the server's token still logs a browser in as admin.
      const res = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
      const jar = new CookieJar().take(res);
      return { cookie: jar.header(), xsrf: jar.get("_xsrf")! };
    })();
    const create = (body: unknown) =>
      fetch(`${server.url}api/lightbook/tokens`, { method: "POST", headers: { cookie, "X-XSRFToken": xsrf }, body: JSON.stringify(body) });
    const bad = await create({ name: "x", scopes: ["everything"] });
    assert.equal(bad.status, 400);
    const res = await create({ name: "analysis script", scopes: ["read"], expiresInDays: 7 });
    assert.equal(res.status, 201);
    const created = createdToken.parse(await res.json());
    assert.match(created.token, /^lbt_/);
    const auth = { Authorization: `token ${created.token}` };
    assert.equal((await fetch(`${server.url}api/contents`, { headers: auth })).status, 200);
    assert.deepEqual((await me(auth)).body.scopes, ["read"]);
    const write = await fetch(`${server.url}api/contents/x.ipynb`, { method: "PUT", headers: auth, body: JSON.stringify({ type: "notebook" }) });
    assert.equal(write.status, 403);
    assert.match(((await write.json()) as { message: string }).message, /scopes \(read\) do not include "write"/);
    assert.equal((await fetch(`${server.url}api/lightbook/tokens`, { headers: auth })).status, 403, "managing tokens needs the tokens scope");

    const listed = tokenList.parse(await (await fetch(`${server.url}api/lightbook/tokens`, { headers: { cookie } })).json());
    assert.deepEqual(
      listed.map((t) => t.name),
      ["analysis script"],
    );
    assert.ok(!JSON.stringify(listed).includes(created.token), "the secret is shown only once");
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    assert.ok(!row.hash.includes(created.token) && row.hash.length === 64, "stored hashed");

    // Another user cannot revoke it, and does not learn that it exists.
    const alice = await new Accounts(db).forLogin("alice");
    const aliceToken = await new Accounts(db).createToken(alice!.user.id, { name: "alice", scopes: ["tokens"], proposalIds: [], expiresInDays: 1 });
    const foreign = await fetch(`${server.url}api/lightbook/tokens/${created.id}`, {
      method: "DELETE",
      headers: { Authorization: `token ${aliceToken.token}` },
    });
    assert.equal(foreign.status, 404);

    const revoke = await fetch(`${server.url}api/lightbook/tokens/${created.id}`, { method: "DELETE", headers: { cookie, "X-XSRFToken": xsrf } });
    assert.equal(revoke.status, 204);
    const revoked = await fetch(`${server.url}api/contents`, { headers: auth });
    assert.equal(revoked.status, 401);
    assert.match(((await revoked.json()) as { message: string }).message, /revoked/);

    await db.apiToken.update({ where: { id: aliceToken.id }, data: { expires: new Date(Date.now() - 1000) } });
    const expired = await fetch(`${server.url}api/lightbook/tokens`, { headers: { Authorization: `token ${aliceToken.token}` } });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { message: string }).message, /expired at .*create a new one/);
    const unknown = await fetch(`${server.url}api/contents`, { headers: { Authorization: "token lbt_not-a-token" } });
    assert.equal(unknown.status, 401);
  });

  test("logout deletes the session and closes its WebSockets (kernel channels, event stream); other sessions stay", async () => {
    const res = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    const jar = new CookieJar().take(res);
    const other = new CookieJar().take(await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" }));
    const cookie = jar.header();
    const kernel = await fetch(`${server.url}api/kernels`, { method: "POST", headers: { cookie, "X-XSRFToken": jar.get("_xsrf")! }, body: "{}" });
    assert.equal(kernel.status, 201);
    const { id } = (await kernel.json()) as { id: string };
    const open = async (route: string) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}${route}`, { headers: { cookie, Origin: new URL(server.url).origin } });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      // In an object: an async function's returned promise would be awaited with it.
      return { closed: new Promise<number>((resolve) => ws.once("close", (code) => resolve(code))) };
    };
    const sockets = await Promise.all([open(`api/kernels/${id}/channels`), open("api/lightbook/events")]);
    const logout = await fetch(`${server.url}logout`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ _xsrf: jar.get("_xsrf")! }),
      redirect: "manual",
    });
    assert.equal(logout.status, 303);
    assert.deepEqual(await Promise.all(sockets.map((s) => s.closed)), [SESSION_ENDED, SESSION_ENDED], "the kernel channels and the event stream");
    assert.equal((await me({ cookie })).status, 401, "the session is gone");
    assert.equal((await me({ cookie: other.header() })).status, 200, "another session of the same user stays");
    await fetch(`${server.url}api/kernels/${id}`, { method: "DELETE", headers: { Authorization: `token ${server.token}` } });
  });

  test("sessions survive a restart with another server token: no session secret to rotate", async () => {
    const jar = new CookieJar().take(await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" }));
    await server.stop();
    const restarted = await startServer({ web: false, databaseUrl: server.databaseUrl, stateDir: server.stateDir });
    try {
      assert.notEqual(restarted.token, server.token);
      const res = await fetch(`${restarted.url}api/lightbook/me`, { headers: { cookie: jar.header() } });
      assert.equal(res.status, 200);
      assert.doesNotMatch(restarted.stdout(), /First start/, "the admin exists: no new one-time link");
    } finally {
      await restarted.stop();
    }
  });
});
