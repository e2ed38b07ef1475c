// Issue 13, item 2: the admin API (users, proposals, members, beamtimes, tokens) and the
// switcher's GET /api/lightbook/me/proposals, against the real server and PostgreSQL.
import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Accounts } from "../../server/accounts/accounts.ts";
import { createDb, type Db } from "../../server/db/client.ts";
import {
  adminTokenList,
  adminUser,
  adminUserList,
  membershipModel,
  mySpaces,
  proposalModel,
  type AdminUser,
  type ProposalModel,
} from "../../contracts/admin.ts";
import { createdToken } from "../../contracts/accounts.ts";
import { CookieJar } from "../support/cookies.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const PASSWORD = "a long enough password";

describe("the admin API", () => {
  let server: RunningServer;
  let db: Db;
  let admin: Record<string, string>;

  const call = async (method: string, url: string, body?: unknown, headers = admin) => {
    const res = await fetch(`${server.url}api/lightbook/${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, location: res.headers.get("location"), body: (text ? JSON.parse(text) : null) as unknown, text };
  };
  const message = (r: { body: unknown }) => (r.body as { message: string }).message;
  /** A user's browser session (cookie and XSRF header), logged in with a password. */
  const logIn = async (username: string, password = PASSWORD) => {
    const res = await fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams({ username, password, next: "/" }), redirect: "manual" });
    if (res.status !== 303) return null;
    const jar = new CookieJar().take(res);
    return { cookie: jar.header(), "X-XSRFToken": jar.get("_xsrf")! };
  };
  const createUser = async (body: Record<string, unknown>): Promise<AdminUser> => {
    const r = await call("POST", "admin/users", body);
    assert.equal(r.status, 201, r.text);
    return adminUser.parse(r.body);
  };
  const createProposal = async (body: Record<string, unknown>): Promise<ProposalModel> => {
    const r = await call("POST", "admin/proposals", { beamline: "P11", dataFolder: "2026/p", ...body });
    assert.equal(r.status, 201, r.text);
    return proposalModel.parse(r.body);
  };

  before(async () => {
    server = await startServer({ web: false });
    db = createDb(server.databaseUrl);
    admin = { Authorization: `token ${server.token}` };
  });
  after(async () => {
    await db.$disconnect();
    await server.dispose();
  });

  test("users: a local user and an SSO-only one are created (201, Location), listed without secrets, a taken username is 409", async () => {
    const res = await call("POST", "admin/users", { username: "erin", displayName: "Erin", email: "erin@example.org", role: "user", password: PASSWORD });
    assert.equal(res.status, 201, res.text);
    const erin = adminUser.parse(res.body);
    assert.equal(res.location, `/api/lightbook/admin/users/${erin.id}`);
    assert.deepEqual([erin.username, erin.hasPassword, erin.sso, erin.disabled], ["erin", true, false, false]);
    assert.deepEqual(adminUser.parse((await call("GET", `admin/users/${erin.id}`)).body), erin);
    const sso = await createUser({ username: "sso.only" });
    assert.deepEqual([sso.hasPassword, sso.role], [false, "user"]);
    const listed = await call("GET", "admin/users");
    assert.deepEqual(
      adminUserList.parse(listed.body).map((u) => u.username),
      ["admin", "erin", "sso.only"],
    );
    assert.doesNotMatch(listed.text, /scrypt/, "no password hash is ever sent");
    assert.ok(await logIn("erin"), "the new user logs in with the password");
    const personal = await fetch(`${server.url}api/contents/users/erin`, { headers: admin });
    assert.equal(personal.status, 200, "the user's personal notebook folder exists");

    const taken = await call("POST", "admin/users", { username: "erin", password: PASSWORD });
    assert.equal(taken.status, 409);
    assert.match(message(taken), /^username: erin is taken/);
  });

  test("users: bad bodies are 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ username: "../root" }, /username: a username takes 1 to 64 letters/],
      [{ username: "frank", password: "short" }, /password: a password needs at least 12 characters/],
      [{ username: "frank", role: "superuser" }, /role: Invalid option/],
      [{ username: "frank", email: "not an address" }, /email: /],
    ];
    for (const [body, expected] of cases) {
      const r = await call("POST", "admin/users", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(message(r), expected);
    }
    const u = await createUser({ username: "gina", password: PASSWORD });
    const unknownField = await call("PATCH", `admin/users/${u.id}`, { username: "renamed" });
    assert.equal(unknownField.status, 400);
    assert.match(message(unknownField), /Unrecognized key/);
    assert.equal((await call("PATCH", "admin/users/00000000-0000-4000-8000-000000000000", { role: "admin" })).status, 404);
    assert.equal((await call("PATCH", "admin/users/not-a-uuid", { role: "admin" })).status, 404);
  });

  test("users: role changes, disabling ends the user's sessions and logins, enabling and a password reset let them back", async () => {
    const u = await createUser({ username: "hank", password: PASSWORD });
    const promoted = await call("PATCH", `admin/users/${u.id}`, { role: "instrument_scientist" });
    assert.equal(promoted.status, 200, promoted.text);
    assert.equal(adminUser.parse(promoted.body).role, "instrument_scientist");

    const session = (await logIn("hank"))!;
    assert.equal((await call("GET", "me", undefined, session)).status, 200);
    const disabled = await call("PATCH", `admin/users/${u.id}`, { disabled: true });
    assert.equal(adminUser.parse(disabled.body).disabled, true);
    assert.equal((await call("GET", "me", undefined, session)).status, 401, "the open session ends");
    assert.equal(await logIn("hank"), null, "a disabled user cannot log in");

    await call("PATCH", `admin/users/${u.id}`, { disabled: false });
    const reset = await call("PUT", `admin/users/${u.id}/password`, { password: "another long password" });
    assert.equal(reset.status, 204, reset.text);
    assert.equal(await logIn("hank"), null, "the old password no longer works");
    assert.ok(await logIn("hank", "another long password"));
    assert.equal((await call("PUT", `admin/users/${u.id}/password`, { password: "short" })).status, 400);
    assert.equal((await call("PUT", `admin/users/${u.id}/password`, { password: null })).status, 204);
    assert.equal(adminUser.parse((await call("GET", `admin/users/${u.id}`)).body).hasPassword, false, "now single sign-on only");
  });

  test("the last enabled admin cannot be demoted or disabled (409); with a second admin it can", async () => {
    const me = adminUserList.parse((await call("GET", "admin/users")).body).find((u) => u.username === "admin")!;
    for (const body of [{ role: "user" }, { disabled: true }]) {
      const r = await call("PATCH", `admin/users/${me.id}`, body);
      assert.equal(r.status, 409, JSON.stringify(body));
      assert.match(message(r), /last enabled admin/);
    }
    const second = await createUser({ username: "ida", role: "admin", password: PASSWORD });
    const demoted = await call("PATCH", `admin/users/${second.id}`, { role: "user" });
    assert.equal(demoted.status, 200);
  });

  test("an admin-created SSO-only account is linked on its first single sign-on; one with a password is not taken over", async () => {
    const accounts = new Accounts(db);
    const identity = { issuer: "https://idp.example", username: "sso.only", email: "s@example.org", displayName: "S", role: null };
    const linked = await accounts.fromOidc({ ...identity, subject: "sub-1" });
    assert.notEqual(linked, "username_taken");
    const row = await db.user.findUniqueOrThrow({ where: { username: "sso.only" } });
    assert.deepEqual([row.oidcIssuer, row.oidcSubject], ["https://idp.example", "sub-1"]);
    assert.equal(await accounts.fromOidc({ ...identity, subject: "sub-2" }), "username_taken", "another subject cannot claim it");
    assert.equal(await accounts.fromOidc({ ...identity, subject: "sub-3", username: "erin" }), "username_taken", "a local account is never linked");
  });

  test("proposals: created (201, Location) with their notebook folder, edited, listed; a duplicate number is 409", async () => {
    const res = await call("POST", "admin/proposals", { number: "20261234", title: "Lysozyme", beamline: "P11", dataFolder: "2026/20261234/" });
    assert.equal(res.status, 201, res.text);
    const p = proposalModel.parse(res.body);
    assert.equal(res.location, `/api/lightbook/admin/proposals/${p.id}`);
    assert.deepEqual([p.dataFolder, p.embargo, p.members, p.beamtimes], ["2026/20261234", null, [], []], "stored without the trailing slash");
    const folder = await fetch(`${server.url}api/contents/proposals/20261234`, { headers: admin });
    assert.equal(folder.status, 200, "the proposal's notebook folder exists");

    const edited = await call("PATCH", `admin/proposals/${p.id}`, {
      title: "Lysozyme, 2nd try",
      beamline: "P14",
      dataFolder: "./2026/x",
      embargo: "2029-01-01T00:00:00Z",
    });
    assert.equal(edited.status, 200, edited.text);
    const e = proposalModel.parse(edited.body);
    assert.deepEqual([e.title, e.beamline, e.dataFolder, e.embargo], ["Lysozyme, 2nd try", "P14", "2026/x", "2029-01-01T00:00:00.000Z"]);
    assert.equal(proposalModel.parse((await call("PATCH", `admin/proposals/${p.id}`, { embargo: null })).body).embargo, null);
    assert.ok(
      proposalModel
        .array()
        .parse((await call("GET", "admin/proposals")).body)
        .some((q) => q.id === p.id),
    );

    const dup = await call("POST", "admin/proposals", { number: "20261234", beamline: "P11", dataFolder: "other" });
    assert.equal(dup.status, 409);
    assert.match(message(dup), /^number: a proposal numbered 20261234 exists already/);
    const renumber = await call("PATCH", `admin/proposals/${p.id}`, { number: "1" });
    assert.equal(renumber.status, 400, "the number names the notebook folder: fixed");
    assert.equal((await call("GET", "admin/proposals/00000000-0000-4000-8000-000000000000")).status, 404);
  });

  test("proposals: a data folder outside the data root, or the root itself, is 400 naming dataFolder", async () => {
    const dataRoot = path.join(server.stateDir, "data");
    await symlink(os.tmpdir(), path.join(dataRoot, "elsewhere"));
    const cases: [string, RegExp][] = [
      ["../x", /dataFolder: '\.\.' is not allowed/],
      ["a/../../x", /dataFolder: '\.\.' is not allowed/],
      ["/etc", /dataFolder: give a path relative to the data root/],
      ["elsewhere/p1", /dataFolder: the path leads outside the data root/],
      [".", /dataFolder: give a folder under the data root, not the root itself/],
      ["a%2f..", /dataFolder: percent-encoded characters/],
      ["", /dataFolder: a proposal needs a data folder/],
    ];
    for (const [dataFolder, expected] of cases) {
      const r = await call("POST", "admin/proposals", { number: "20269999", beamline: "P11", dataFolder });
      assert.equal(r.status, 400, `${dataFolder}: ${r.text}`);
      assert.match(message(r), expected, dataFolder);
    }
    const p = await createProposal({ number: "20260001" });
    const r = await call("PATCH", `admin/proposals/${p.id}`, { dataFolder: "../x" });
    assert.equal(r.status, 400);
    assert.match(message(r), /^dataFolder: /);
    for (const [body, expected] of [
      [{ number: "a/b", beamline: "P11", dataFolder: "x" }, /number: a proposal number takes/],
      [{ number: "1", beamline: "", dataFolder: "x" }, /beamline: a proposal needs a beamline/],
      [{ number: "1", beamline: "P11", dataFolder: "x", embargo: "next year" }, /embargo: give an ISO 8601 date/],
    ] as const) {
      const bad = await call("POST", "admin/proposals", body);
      assert.equal(bad.status, 400);
      assert.match(message(bad), expected);
    }
  });

  test("members: added with a role (201), changed, removed (204); twice is 409, an unknown user 400, a non-member 404", async () => {
    const p = await createProposal({ number: "20260002" });
    const u = await createUser({ username: "jo", password: PASSWORD });
    const added = await call("POST", `admin/proposals/${p.id}/members`, { username: "jo", role: "principal_investigator" });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.location, `/api/lightbook/admin/proposals/${p.id}/members/${u.id}`);
    assert.deepEqual(membershipModel.parse(added.body), { userId: u.id, username: "jo", role: "principal_investigator" });
    const twice = await call("POST", `admin/proposals/${p.id}/members`, { username: "jo" });
    assert.equal(twice.status, 409);
    assert.match(message(twice), /jo is a member already/);
    const unknown = await call("POST", `admin/proposals/${p.id}/members`, { username: "nobody" });
    assert.equal(unknown.status, 400);
    assert.match(message(unknown), /^username: no user named nobody/);
    assert.equal((await call("POST", `admin/proposals/${p.id}/members`, { username: "jo", role: "owner" })).status, 400);

    const changed = await call("PATCH", `admin/proposals/${p.id}/members/${u.id}`, { role: "member" });
    assert.equal(membershipModel.parse(changed.body).role, "member");
    assert.deepEqual(proposalModel.parse((await call("GET", `admin/proposals/${p.id}`)).body).members, [{ userId: u.id, username: "jo", role: "member" }]);
    assert.equal((await call("DELETE", `admin/proposals/${p.id}/members/${u.id}`)).status, 204);
    assert.equal((await call("DELETE", `admin/proposals/${p.id}/members/${u.id}`)).status, 404);
  });

  test("beamtimes: added (201) and removed (204); one that ends before it starts is 400 naming end", async () => {
    const p = await createProposal({ number: "20260003" });
    const added = await call("POST", `admin/proposals/${p.id}/beamtimes`, { start: "2026-12-02T08:00:00Z", end: "2026-12-04T08:00:00+01:00" });
    assert.equal(added.status, 201, added.text);
    const b = added.body as { id: string; start: string; end: string };
    assert.equal(added.location, `/api/lightbook/admin/proposals/${p.id}/beamtimes/${b.id}`);
    assert.deepEqual([b.start, b.end], ["2026-12-02T08:00:00.000Z", "2026-12-04T07:00:00.000Z"]);
    for (const body of [
      { start: "2026-12-04T08:00:00Z", end: "2026-12-02T08:00:00Z" },
      { start: "2026-12-04T08:00:00Z", end: "2026-12-04T08:00:00Z" },
    ]) {
      const r = await call("POST", `admin/proposals/${p.id}/beamtimes`, body);
      assert.equal(r.status, 400);
      assert.match(message(r), /end: a beamtime must end after it starts/);
    }
    const notADate = await call("POST", `admin/proposals/${p.id}/beamtimes`, { start: "tomorrow", end: "2026-12-04T08:00:00Z" });
    assert.match(message(notADate), /start: give an ISO 8601 date/);
    assert.equal((await call("DELETE", `admin/proposals/${p.id}/beamtimes/${b.id}`)).status, 204);
    assert.equal((await call("DELETE", `admin/proposals/${p.id}/beamtimes/${b.id}`)).status, 404);
  });

  test("tokens: every user's are listed without secrets and any is revoked", async () => {
    await createUser({ username: "kim", password: PASSWORD });
    const kim = (await logIn("kim"))!;
    const made = await call("POST", "tokens", { name: "kim's script", scopes: ["read"] }, kim);
    const token = createdToken.parse(made.body);
    const listed = await call("GET", "admin/tokens");
    const row = adminTokenList.parse(listed.body).find((t) => t.id === token.id);
    assert.deepEqual([row?.username, row?.name, row?.revoked], ["kim", "kim's script", null]);
    assert.ok(!listed.text.includes(token.token), "no secret");
    assert.equal((await call("DELETE", `admin/tokens/${token.id}`)).status, 204);
    assert.equal((await call("GET", "me", undefined, { Authorization: `token ${token.token}` })).status, 401, "revoked");
    assert.equal((await call("DELETE", `admin/tokens/${token.id}`)).status, 204, "revoking twice changes nothing");
    assert.equal((await call("DELETE", "admin/tokens/00000000-0000-4000-8000-000000000000")).status, 404);
  });

  test("a non-admin gets 403 from every admin route, also an admin's token without the tokens scope from the tokens routes", async () => {
    await createUser({ username: "lee", role: "instrument_scientist", password: PASSWORD });
    const lee = (await logIn("lee"))!;
    const p = await createProposal({ number: "20260004" });
    for (const [method, url, body] of [
      ["GET", "admin/users"],
      ["POST", "admin/users", { username: "mallory", role: "admin", password: PASSWORD }],
      ["GET", "admin/proposals"],
      ["PATCH", `admin/proposals/${p.id}`, { title: "mine now" }],
      ["POST", `admin/proposals/${p.id}/members`, { username: "lee" }],
      ["GET", "admin/tokens"],
      ["GET", "admin/no-such-route"],
    ] as const) {
      const r = await call(method, url, body, lee);
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.match(message(r), /Only admins may manage users, proposals and tokens/);
    }
    assert.equal((await db.user.findUnique({ where: { username: "mallory" } })) === null, true);
    const adminId = (await db.user.findUniqueOrThrow({ where: { username: "admin" } })).id;
    const readOnly = await new Accounts(db).createToken(adminId, { name: "ro", scopes: ["read", "write"], proposalIds: [], expiresInDays: 1 });
    assert.equal((await call("GET", "admin/tokens", undefined, { Authorization: `token ${readOnly.token}` })).status, 403);
    assert.equal((await call("GET", "admin/users", undefined, { Authorization: `token ${readOnly.token}` })).status, 200);
  });

  test("me/proposals: a user's proposals with their role and their personal folder; an admin sees all", async () => {
    const mine = await createProposal({ number: "20260005", title: "Mine" });
    await createProposal({ number: "20260006", title: "Theirs" });
    const nia = await createUser({ username: "nia", password: PASSWORD });
    await call("POST", `admin/proposals/${mine.id}/members`, { username: "nia", role: "principal_investigator" });
    const spaces = mySpaces.parse((await call("GET", "me/proposals", undefined, (await logIn("nia"))!)).body);
    assert.deepEqual(spaces, {
      personal: "users/nia",
      proposals: [{ id: mine.id, number: "20260005", title: "Mine", beamline: "P11", role: "principal_investigator", path: "proposals/20260005" }],
    });
    const all = mySpaces.parse((await call("GET", "me/proposals")).body);
    assert.equal(all.personal, "users/admin");
    assert.ok(all.proposals.length >= 2 && all.proposals.every((q) => q.role === null));
    // A token limited to some proposals lists only those.
    const scoped = await new Accounts(db).createToken(nia.id, { name: "s", scopes: ["read"], proposalIds: [mine.id], expiresInDays: 1 });
    assert.equal(mySpaces.parse((await call("GET", "me/proposals", undefined, { Authorization: `token ${scoped.token}` })).body).proposals.length, 1);
  });
});
