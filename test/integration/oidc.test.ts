// Issue 13, item 1: single sign-on refuses an ID token from another issuer, for another client
// (audience) or without a signature, each with a clear message. The provider here breaks its ID
// token on purpose (test/support/oidc-providers.ts); the real provider's login is in
// test/browser/oidc.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CookieJar } from "../support/cookies.ts";
import { freePort } from "../support/free-port.ts";
import { oidcServerEnv, startHostileProvider, type HostileMode } from "../support/oidc-providers.ts";
import { startServer, type RunningServer } from "../support/server.ts";

describe("single sign-on refusals", () => {
  let server: RunningServer;
  let provider: Awaited<ReturnType<typeof startHostileProvider>>;

  before(async () => {
    provider = await startHostileProvider();
    const port = await freePort();
    server = await startServer({
      web: false,
      env: oidcServerEnv(port, provider.issuer),
    });
  });
  after(async () => {
    await server?.dispose();
    await provider?.close();
  });

  /** The browser's part of the flow, by hand: Lightbook → provider → Lightbook's callback. */
  async function startLogin(mode: HostileMode): Promise<{ callback: URL; jar: CookieJar }> {
    provider.mode.value = mode;
    const start = await fetch(`${server.url}login/oidc?next=/account`, { redirect: "manual" });
    assert.equal(start.status, 302);
    const jar = new CookieJar().take(start);
    const authorize = new URL(start.headers.get("location")!);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256", "PKCE");
    const back = await fetch(authorize, { redirect: "manual" });
    return { callback: new URL(back.headers.get("location")!), jar };
  }
  async function open(callback: URL, jar: CookieJar): Promise<{ status: number; text: string; jar: CookieJar; location: string | null }> {
    const res = await fetch(callback, { headers: { cookie: jar.header() }, redirect: "manual" });
    return { status: res.status, text: await res.text(), jar: jar.take(res), location: res.headers.get("location") };
  }
  async function signIn(mode: HostileMode) {
    const { callback, jar } = await startLogin(mode);
    return open(callback, jar);
  }

  test("the login page offers single sign-on when it is configured", async () => {
    assert.match(await (await fetch(`${server.url}login`)).text(), /Log in with single sign-on/);
  });

  const cases: [HostileMode, RegExp][] = [
    ["wrong_issuer", /issued by another provider than the configured issuer/],
    ["wrong_audience", /issued for another client \(wrong audience\)/],
    ["unsigned", /not signed with the provider&#39;s key|not signed with the provider's key/],
  ];
  for (const [mode, message] of cases) {
    test(`an ID token with ${mode.replace("_", " ")} is refused`, async () => {
      const r = await signIn(mode);
      assert.equal(r.status, 401);
      assert.match(r.text, /Single sign-on refused/);
      assert.match(r.text, message);
      assert.equal(r.jar.get("lightbook-session"), undefined, "no session");
    });
  }

  test("a callback whose state was changed is refused, and the honest one then logs in", async () => {
    const { callback, jar } = await startLogin("honest");
    const forged = new URL(callback);
    forged.searchParams.set("state", "forged-state");
    const r = await open(forged, jar);
    assert.equal(r.status, 401);
    assert.match(r.text, /the response&#39;s state does not match this browser&#39;s login/);
    const ok = await signIn("honest");
    assert.equal(ok.status, 303, ok.text);
    assert.equal(ok.location, "/account");
    const me = (await (await fetch(`${server.url}api/lightbook/me`, { headers: { cookie: ok.jar.header() } })).json()) as { username: string; role: string };
    assert.deepEqual([me.username, me.role], ["mallory", "user"], "created on first login as a user");
  });

  test("a replayed callback, or its code under a later login, is refused", async () => {
    const first = await startLogin("honest");
    assert.equal((await open(first.callback, first.jar)).status, 303);
    const again = await open(first.callback, first.jar);
    assert.equal(again.status, 401);
    assert.match(again.text, /already used, has expired, or belongs to another browser/);
    const later = await startLogin("honest");
    const replayed = new URL(later.callback);
    replayed.searchParams.set("code", first.callback.searchParams.get("code")!);
    const r = await open(replayed, later.jar);
    assert.equal(r.status, 401);
    assert.match(r.text, /the provider refused the authorization code \(already used, or expired\)/);
  });

  test("a callback without this browser's login cookie is refused", async () => {
    const res = await fetch(`${server.url}login/oidc/callback?code=x&state=y`);
    assert.equal(res.status, 401);
    assert.match(await res.text(), /already used, has expired, or belongs to another browser/);
  });
});
