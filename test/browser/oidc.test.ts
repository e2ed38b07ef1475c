// Issue 13, item 1: logging in through a real OpenID provider (`oidc-provider`, in this process)
// in Chromium. The refusals (state, replay, issuer, audience, signature) are in
// test/integration/oidc.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { Accounts } from "../../server/accounts/accounts.ts";
import { createDb } from "../../server/db/client.ts";
import { launchChromium } from "../support/browser.ts";
import { freePort } from "../support/free-port.ts";
import { callbackUrl, oidcServerEnv, startOidcProvider } from "../support/oidc-providers.ts";
import { startServer, type RunningServer } from "../support/server.ts";

describe("logging in in the browser", () => {
  let server: RunningServer;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let browser: Browser;

  before(async () => {
    const port = await freePort();
    provider = await startOidcProvider(callbackUrl(port));
    server = await startServer({
      web: false,
      env: oidcServerEnv(port, provider.issuer),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
    await provider?.close();
  });

  test("a new user logs in through the provider and lands logged in as a user", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}login?next=/account`);
    await page.locator("#sso").click();
    await page.locator('input[name="login"]').fill("alice");
    await page.locator('input[name="password"]').fill("any password");
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
    await page.locator("#who").waitFor();
    assert.equal(await page.locator("#who").textContent(), "alice");
    const me = (await (await page.request.get(`${server.url}api/lightbook/me`)).json()) as { username: string; role: string; credential: string };
    assert.deepEqual([me.username, me.role, me.credential], ["alice", "user", "session"]);
    await page.context().close();
  });

  test("a local user logs in with a password and logs out, and the session ends", async () => {
    const db = createDb(server.databaseUrl);
    try {
      await new Accounts(db).createUser({ username: "dana", role: "instrument_scientist", password: "dana's long password" });
    } finally {
      await db.$disconnect();
    }
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}login?next=/account`);
    await page.locator("#username").fill("dana");
    await page.locator("#password").fill("wrong password");
    await page.locator('button[type="submit"]', { hasText: /^Log in$/ }).click();
    assert.match((await page.locator('[role="alert"]').textContent()) ?? "", /Wrong username or password/);
    await page.locator("#password").fill("dana's long password");
    await page.locator('button[type="submit"]', { hasText: /^Log in$/ }).click();
    assert.equal(await page.locator("#who").textContent(), "dana");
    const cookies = await page.context().cookies();
    assert.equal(cookies.find((c) => c.name === "lightbook-session")?.httpOnly, true);
    await page.locator("#logout").click();
    await page.locator("#username").waitFor();
    assert.equal((await page.request.get(`${server.url}api/lightbook/me`)).status(), 401);
    await page.context().close();
  });
});
