// Issue 12, items 3-5, against the real server with the built web app: the login's redirect stays
// on this server, paths are read one way before the auth check, and every response carries the
// security headers (the browser side of the policy is test/browser/csp.test.ts).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rawRequest, startServer, type RunningServer } from "../support/server.ts";

describe("web security", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ web: true });
  });
  after(() => server.dispose());

  const login = (next: string) => fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams({ token: server.token, next }), redirect: "manual" });

  test("after login the browser is sent to a path on this server, never to another site", async () => {
    const origin = new URL(server.url).origin;
    const corpus = [
      "//evil.example",
      "/\\evil.example",
      "\\/evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "https://evil.example",
      "http:evil.example",
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      " /evil",
      "/.//evil.example",
      "/..//evil.example",
      "%2F%2Fevil.example",
      "/%2F%2Fevil.example",
      "/%5Cevil.example",
      "%5C%5Cevil.example",
      "/%09/evil.example",
      "////evil.example",
    ];
    for (const next of corpus) {
      const res = await login(next);
      assert.equal(res.status, 303, next);
      const location = res.headers.get("location") ?? "";
      // The WHATWG URL parser is the one browsers use to follow Location.
      assert.equal(new URL(location, server.url).origin, origin, `${JSON.stringify(next)} sent the browser to ${location}`);
      assert.ok(location.startsWith("/") && !location.startsWith("//"), `${JSON.stringify(next)} → ${location}`);
    }
    assert.equal((await login("/notebooks/Welcome.ipynb")).headers.get("location"), "/notebooks/Welcome.ipynb");
    const form = await (await fetch(`${server.url}login?next=${encodeURIComponent("/\\evil.example")}`)).text();
    assert.match(form, /name="next" value="\/"/, "the form carries the refused next as /");
  });

  test("no page or file is served without a session through a path that only looks public", async () => {
    const attacks = [
      "/_next/static/../../notebooks/Welcome.ipynb",
      "/_next/static/%2e%2e/%2e%2e/notebooks/Welcome.ipynb",
      "/_next/static/%2E%2E/%2E%2E/notebooks/Welcome.ipynb",
      "/_next/static/.%2e/.%2e/notebooks/Welcome.ipynb",
      "/_next/static/..%2f..%2fnotebooks/Welcome.ipynb",
      "/_next/static/..%2F..%2F",
      "/_next/static/..%5c..%5cnotebooks/Welcome.ipynb",
      "/_next/static/..\\..\\notebooks/Welcome.ipynb",
      "/_next/static/%252e%252e/%252e%252e/notebooks/Welcome.ipynb",
      "/_next/static//..//..//notebooks/Welcome.ipynb",
      "//_next/static/../../notebooks/Welcome.ipynb",
      "/_next/static/../../api/contents",
      "/_next/static/../../h5web/",
      "/login/../notebooks/Welcome.ipynb",
      "/favicon.ico/../data",
      "/_next//static/x/../../../",
      "/_next/static//notebooks/Welcome.ipynb",
      "//_next/static/x",
    ];
    for (const path of attacks) {
      const res = await rawRequest(server, "GET", path);
      const outcome = `${path} → ${res.status} ${res.body.slice(0, 120)}`;
      assert.ok(res.status === 400 || (res.status === 302 && /^\/login\?next=/.test(res.headers.location ?? "")), outcome);
      assert.doesNotMatch(res.body, /<html|__next_f|"content"/i, outcome);
      if (res.status === 400) assert.match(JSON.parse(res.body).message, /^Bad request path: /, outcome);
    }
    // What is public stays public, and with a session pages still open.
    const page = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const html = await (await fetch(`${server.url}notebooks/Welcome.ipynb`, { headers: { cookie } })).text();
    const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
    assert.ok(asset, "the page links its scripts");
    assert.equal((await rawRequest(server, "GET", asset)).status, 200, `${asset} without a session`);
  });

  test("every response carries the security headers; pages get a fresh script nonce that Next uses", async () => {
    const page = await fetch(`${server.url}?token=${server.token}`, { redirect: "manual" });
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const responses = {
      page: await fetch(`${server.url}notebooks/Welcome.ipynb`, { headers: { cookie } }),
      list: await fetch(`${server.url}`, { headers: { cookie } }),
      api: await fetch(`${server.url}api/contents`, { headers: { cookie } }),
      unauthorized: await fetch(`${server.url}api/contents`),
      missing: await fetch(`${server.url}api/nothing`, { headers: { cookie } }),
      redirect: await fetch(`${server.url}data`, { redirect: "manual" }),
      loginForm: await fetch(`${server.url}login`),
      badPath: await fetch(`${server.url}_next/static/%2e%2e/x`),
      h5web: await fetch(`${server.url}h5web/`, { headers: { cookie } }),
    };
    const policies: Record<string, string> = {};
    for (const [name, res] of Object.entries(responses)) {
      const csp = res.headers.get("content-security-policy") ?? "";
      policies[name] = csp;
      assert.match(csp, /default-src 'self'/, `${name}: ${csp}`);
      assert.match(csp, /object-src 'none'/, name);
      assert.match(csp, /img-src 'self' data: blob:/, name);
      assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/, name);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", name);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", name);
      if (name === "h5web") {
        assert.match(csp, /frame-ancestors 'self'/);
        assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
      } else {
        assert.match(csp, /frame-ancestors 'none'/, name);
        assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/]+=*'/, name);
        assert.equal(res.headers.get("x-frame-options"), "DENY", name);
      }
    }
    for (const name of ["page", "list"] as const) {
      const nonce = /'nonce-([^']+)'/.exec(policies[name]!)![1]!;
      const html = await responses[name].text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.ok(scripts.length > 0, name);
      for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${name}: ${tag} lacks the response's nonce`);
    }
    assert.notEqual(/'nonce-([^']+)'/.exec(policies.page!)![1], /'nonce-([^']+)'/.exec(policies.list!)![1], "a nonce per response");
    // A client cannot choose the nonce Next uses by sending its own policy header.
    const forged = await fetch(`${server.url}`, { headers: { cookie, "Content-Security-Policy": "script-src 'nonce-chosen'" } });
    assert.doesNotMatch(await forged.text(), /nonce="chosen"/);
  });
});
