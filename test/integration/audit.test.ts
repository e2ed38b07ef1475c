// Issue 13, item 6: the audit trail, against the real server and PostgreSQL: who did what, the
// hash chain, append-only rows, tampering found by the API and by `npm run audit:verify`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { KernelManager } from "@jupyterlab/services";
import pg from "pg";
import { auditEvent, auditPage, auditVerification, type AuditEvent } from "../../contracts/audit.ts";
import { TSX_LOADER } from "../../server/paths.ts";
import { CookieJar } from "../support/cookies.ts";
import { serverSettings } from "../support/jupyter.ts";
import { execute, result } from "../support/kernel-runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("the audit trail", () => {
  let server: RunningServer;
  let admin: Record<string, string>;

  const trail = async (query = "") => {
    const res = await fetch(`${server.url}api/lightbook/admin/audit${query}`, { headers: admin });
    assert.equal(res.status, 200, await res.clone().text());
    return auditPage.parse(await res.json()).events;
  };
  const verify = async () => auditVerification.parse(await (await fetch(`${server.url}api/lightbook/admin/audit/verify`, { headers: admin })).json());
  const verifyCli = async () => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", TSX_LOADER, "server/audit/verify-cli.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: server.databaseUrl },
      });
      return { code: 0, stdout };
    } catch (e: unknown) {
      const failed = e as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  };
  /** As an attacker with the database's superuser would: around the append-only trigger. */
  const tamper = async (sql: string, ...params: string[]) => {
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await client.query("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only");
      await client.query(sql, params);
      await client.query("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only");
    } finally {
      await client.end();
    }
  };

  before(async () => {
    server = await startServer({ web: false });
    admin = { Authorization: `token ${server.token}` };
  });
  after(() => server.dispose());

  test("records logins taken and refused, changes with their result, and cell executions with the hash of their code; reads are not recorded", async () => {
    const login = (body: Record<string, string>) => fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams(body), redirect: "manual" });
    assert.equal((await login({ username: "mallory", password: "not the password" })).status, 401);
    const taken = await login({ token: server.token, next: "/" });
    assert.equal(taken.status, 303);
    const jar = new CookieJar().take(taken);
    const create = () =>
      fetch(`${server.url}api/lightbook/admin/users`, {
        method: "POST",
        headers: { ...admin, "Content-Type": "application/json" },
        body: JSON.stringify({ username: "bea" }),
      });
    assert.equal((await create()).status, 201);
    assert.equal((await create()).status, 409, "the same username again");
    const logout = await fetch(`${server.url}logout`, {
      method: "POST",
      headers: { cookie: jar.header() },
      body: new URLSearchParams({ _xsrf: jar.get("_xsrf")! }),
      redirect: "manual",
    });
    assert.equal(logout.status, 303);

    const kernels = new KernelManager({ serverSettings: serverSettings(server) });
    const kernel = await kernels.startNew({ name: "lightbook-ts" });
    const code = "6 * 7";
    try {
      assert.equal(result(await execute(kernel, code)), "42");
    } finally {
      await kernel.shutdown();
      kernels.dispose();
    }

    const events = await trail();
    const find = (what: Partial<AuditEvent>) => events.find((e) => Object.entries(what).every(([k, v]) => e[k as keyof AuditEvent] === v));
    const refused = find({ action: "login", actor: "mallory" });
    assert.equal(refused?.result, "refused");
    assert.equal(refused.detail.reason, "wrong username or password");
    assert.equal(find({ action: "login", resource: "login/token" })?.actor, "admin");
    assert.equal(find({ action: "logout" })?.actor, "admin");
    const creations = events.filter((e) => e.action === "POST /api/lightbook/admin/users");
    assert.deepEqual(
      creations.map((e) => [e.actor, e.result, e.detail.status]),
      [
        ["admin", "refused", 409],
        ["admin", "ok", 201],
      ],
      "newest first",
    );
    const executed = find({ action: "execute", resource: `kernels/${kernel.id}` });
    assert.equal(executed?.actor, "admin");
    assert.equal(executed.detail.code_sha256, createHash("sha256").update(code).digest("hex"));
    assert.ok(find({ action: "POST /api/kernels" }), "the kernel's start");
    assert.equal(
      events.find((e) => e.action.startsWith("GET ")),
      undefined,
      "reads are in the request log only",
    );
    assert.deepEqual(
      events.map((e) => BigInt(e.seq)),
      events.map((e) => BigInt(e.seq)).sort((a, b) => (a > b ? -1 : 1)),
    );

    for (const query of ["?before=1;DROP", "?before=99999999999999999999999999", "?limit=100000", "?limit=0"]) {
      const refused = await fetch(`${server.url}api/lightbook/admin/audit${query}`, { headers: admin });
      assert.equal(refused.status, 400, query);
      assert.match(((await refused.json()) as { message: string }).message, /^Invalid query: (before|limit)/, query);
    }
    const older = await trail(`?before=${events[1]!.seq}&limit=1`);
    assert.deepEqual(older, [events[2]]);
    const v = await verify();
    assert.deepEqual(v, { checked: Number(events[0]!.seq), brokenAt: null, reason: null });

    const exported = await fetch(`${server.url}api/lightbook/admin/audit/export`, { headers: admin });
    assert.match(exported.headers.get("content-disposition") ?? "", /^attachment; filename="?lightbook-audit\.jsonl"?$/);
    const lines = (await exported.text()).trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => auditEvent.parse(JSON.parse(l)).seq),
      [...events]
        .reverse()
        .map((e) => e.seq)
        .slice(0, lines.length),
      "oldest first",
    );
  });

  test("only admins read it; nobody changes it through the database's append-only trigger", async () => {
    assert.equal((await fetch(`${server.url}api/lightbook/admin/audit`)).status, 401);
    const password = "bea's long password";
    const bea = (await trail()).find((e) => e.action === "POST /api/lightbook/admin/users" && e.result === "ok");
    assert.ok(bea);
    const users = (await (await fetch(`${server.url}api/lightbook/admin/users`, { headers: admin })).json()) as { id: string; username: string }[];
    const id = users.find((u) => u.username === "bea")!.id;
    const set = await fetch(`${server.url}api/lightbook/admin/users/${id}/password`, {
      method: "PUT",
      headers: { ...admin, "Content-Type": "application/json" },
      body: JSON.stringify({ password }),
    });
    assert.equal(set.status, 204);
    const login = await fetch(`${server.url}login`, { method: "POST", body: new URLSearchParams({ username: "bea", password }), redirect: "manual" });
    const cookie = new CookieJar().take(login).header();
    for (const route of ["", "/export", "/verify"])
      assert.equal((await fetch(`${server.url}api/lightbook/admin/audit${route}`, { headers: { cookie } })).status, 403, route);

    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await assert.rejects(client.query("UPDATE audit_event SET actor = 'nobody'"), /audit_event is append-only: UPDATE refused/);
      await assert.rejects(client.query("DELETE FROM audit_event"), /audit_event is append-only: DELETE refused/);
    } finally {
      await client.end();
    }
  });

  test("a changed event, then a removed one, break the chain where they were, for the API and npm run audit:verify", async () => {
    assert.deepEqual(await verifyCli(), { code: 0, stdout: `The chain holds: ${(await verify()).checked} events, each linked to the one before.\n` });
    const events = (await trail()).reverse();
    const changed = events[3]!;
    await tamper("UPDATE audit_event SET actor = 'someone else' WHERE seq = $1", changed.seq);
    assert.deepEqual(await verify(), { checked: 3, brokenAt: changed.seq, reason: "its fields do not match its hash (the event was changed)" });
    const cli = await verifyCli();
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, new RegExp(`^Broken at event ${changed.seq}: its fields do not match its hash`));

    await tamper("UPDATE audit_event SET actor = $2 WHERE seq = $1", changed.seq, changed.actor);
    assert.equal((await verify()).brokenAt, null, "restored");
    const removed = events[5]!;
    await tamper("DELETE FROM audit_event WHERE seq = $1", removed.seq);
    assert.deepEqual(await verify(), {
      checked: 5,
      brokenAt: events[6]!.seq,
      reason: "its link to the event before it does not hold (an event was removed, inserted or reordered)",
    });
  });
});
