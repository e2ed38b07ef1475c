// Issue 13, item 3: the access matrix, generated from the server's route table. Every route is
// sent by an anonymous caller, the owner of the resource it names (alice, member of proposal A),
// a user of another proposal (bob, member of B) and an admin, against the real server and
// PostgreSQL; each gets the status written here. A route that is not in this table fails the
// test, so a new route cannot ship without its rule.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Accounts } from "../../server/accounts/accounts.ts";
import { createDb, type Db } from "../../server/db/client.ts";
import { TOKEN_SCOPES } from "../../contracts/accounts.ts";
import { startServer, type RunningServer } from "../support/server.ts";
import { seedProposalFolders } from "../support/proposal-data.ts";
import { serverRouteTable } from "../support/route-table.ts";
import WebSocket from "ws";

const WHO = ["anonymous", "own", "foreign", "admin"] as const;
type Who = (typeof WHO)[number];
/** Expected statuses for [anonymous, own, foreign, admin]; null: not sent (a request that would end the resource for the next caller). */
type Statuses = [number, number, number, number | null];

interface Fixture {
  spec: string;
  kernel: string;
  kernel2: string;
  session: string;
  session2: string;
  run: string;
  run2: string;
  proposalA: string;
  alice: string;
  token: string;
  beamtime: string;
}

interface Probe {
  method: string;
  url: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  expect: Statuses;
}

const NB = "proposals/A/n.ipynb";
const NOTEBOOK = { type: "notebook", content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } };
const RECIPE = { steps: [{ id: "s", algorithm: "noop", input: { kind: "range", start: 0, stop: 2 } }] };
const H5 = "file=pa/scan.h5&path=/";

/**
 * Routes served before authentication (the login pages themselves, tested in accounts.test.ts
 * and oidc.test.ts) and the caller's own account (every principal reaches only itself).
 */
const PUBLIC = [
  "GET /login",
  "POST /login",
  "GET /login/once",
  "GET /login/oidc",
  "GET /login/oidc/callback",
  "POST /logout",
  "GET /account",
  "POST /account/password",
];

const ADMIN_ONLY: Statuses = [401, 403, 403, 200];
const OWN: Statuses = [401, 200, 404, 200];

/** Per route: what is sent, and what each caller gets. */
const MATRIX: Record<string, Probe[]> = {
  "GET /api": [{ method: "GET", url: () => "api", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/me": [{ method: "GET", url: () => "api/lightbook/me", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/tokens": [{ method: "GET", url: () => "api/lightbook/tokens", expect: [401, 200, 200, 200] }],
  "POST /api/lightbook/tokens": [
    { method: "POST", url: () => "api/lightbook/tokens", body: () => ({ name: "t", scopes: ["read"] }), expect: [401, 201, 201, 201] },
  ],
  // Someone else's token is "not found"; its owner revokes it.
  "DELETE /api/lightbook/tokens/:id": [{ method: "DELETE", url: (f) => `api/lightbook/tokens/${f.token}`, expect: [401, 204, 404, null] }],
  "GET /api/lightbook/me/proposals": [{ method: "GET", url: () => "api/lightbook/me/proposals", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/admin/users": [{ method: "GET", url: () => "api/lightbook/admin/users", expect: ADMIN_ONLY }],
  "POST /api/lightbook/admin/users": [
    { method: "POST", url: () => "api/lightbook/admin/users", body: () => ({ username: "carol" }), expect: [401, 403, 403, 201] },
  ],
  "GET /api/lightbook/admin/users/:id": [{ method: "GET", url: (f) => `api/lightbook/admin/users/${f.alice}`, expect: ADMIN_ONLY }],
  "PATCH /api/lightbook/admin/users/:id": [
    { method: "PATCH", url: (f) => `api/lightbook/admin/users/${f.alice}`, body: () => ({ displayName: "Alice" }), expect: ADMIN_ONLY },
  ],
  "PUT /api/lightbook/admin/users/:id/password": [
    { method: "PUT", url: (f) => `api/lightbook/admin/users/${f.alice}/password`, body: () => ({ password: "x" }), expect: [401, 403, 403, 400] },
  ],
  "GET /api/lightbook/admin/proposals": [{ method: "GET", url: () => "api/lightbook/admin/proposals", expect: ADMIN_ONLY }],
  "POST /api/lightbook/admin/proposals": [{ method: "POST", url: () => "api/lightbook/admin/proposals", body: () => ({}), expect: [401, 403, 403, 400] }],
  "GET /api/lightbook/admin/proposals/:id": [{ method: "GET", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}`, expect: ADMIN_ONLY }],
  "PATCH /api/lightbook/admin/proposals/:id": [
    { method: "PATCH", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}`, body: () => ({ title: "A" }), expect: ADMIN_ONLY },
  ],
  "POST /api/lightbook/admin/proposals/:id/members": [
    { method: "POST", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}/members`, body: () => ({ username: "alice" }), expect: [401, 403, 403, 409] },
  ],
  "PATCH /api/lightbook/admin/proposals/:id/members/:userId": [
    { method: "PATCH", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}/members/${f.alice}`, body: () => ({ role: "member" }), expect: ADMIN_ONLY },
  ],
  "DELETE /api/lightbook/admin/proposals/:id/members/:userId": [
    { method: "DELETE", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}/members/00000000-0000-4000-8000-000000000000`, expect: [401, 403, 403, 404] },
  ],
  "POST /api/lightbook/admin/proposals/:id/beamtimes": [
    {
      method: "POST",
      url: (f) => `api/lightbook/admin/proposals/${f.proposalA}/beamtimes`,
      body: () => ({ start: "2026-12-01T08:00:00Z", end: "2026-12-02T08:00:00Z" }),
      expect: [401, 403, 403, 201],
    },
  ],
  "DELETE /api/lightbook/admin/proposals/:id/beamtimes/:beamtimeId": [
    { method: "DELETE", url: (f) => `api/lightbook/admin/proposals/${f.proposalA}/beamtimes/${f.beamtime}`, expect: [401, 403, 403, 204] },
  ],
  "GET /api/lightbook/admin/tokens": [{ method: "GET", url: () => "api/lightbook/admin/tokens", expect: ADMIN_ONLY }],
  "DELETE /api/lightbook/admin/tokens/:id": [
    { method: "DELETE", url: () => "api/lightbook/admin/tokens/00000000-0000-4000-8000-000000000000", expect: [401, 403, 403, 404] },
  ],
  "GET /api/lightbook/admin/audit": [{ method: "GET", url: () => "api/lightbook/admin/audit", expect: ADMIN_ONLY }],
  "GET /api/lightbook/admin/audit/export": [{ method: "GET", url: () => "api/lightbook/admin/audit/export", expect: ADMIN_ONLY }],
  "GET /api/lightbook/admin/audit/verify": [{ method: "GET", url: () => "api/lightbook/admin/audit/verify", expect: ADMIN_ONLY }],
  "GET /api/kernelspecs": [{ method: "GET", url: () => "api/kernelspecs", expect: [401, 200, 200, 200] }],
  "GET /api/kernelspecs/:name": [{ method: "GET", url: (f) => `api/kernelspecs/${f.spec}`, expect: [401, 200, 200, 200] }],
  "GET /api/kernels": [{ method: "GET", url: () => "api/kernels", expect: [401, 200, 200, 200] }],
  "POST /api/kernels": [],
  "GET /api/kernels/:id": [{ method: "GET", url: (f) => `api/kernels/${f.kernel}`, expect: OWN }],
  "DELETE /api/kernels/:id": [{ method: "DELETE", url: (f) => `api/kernels/${f.kernel2}`, expect: [401, 204, 404, null] }],
  "POST /api/kernels/:id/interrupt": [{ method: "POST", url: (f) => `api/kernels/${f.kernel}/interrupt`, expect: [401, 204, 404, 204] }],
  "POST /api/kernels/:id/restart": [{ method: "POST", url: (f) => `api/kernels/${f.kernel}/restart`, expect: OWN }],
  "GET /api/sessions": [{ method: "GET", url: () => "api/sessions", expect: [401, 200, 200, 200] }],
  "POST /api/sessions": [
    // A session on someone else's notebook, or with their kernel, is refused as if neither existed.
    {
      method: "POST",
      url: () => "api/sessions",
      body: (f) => ({ path: NB, type: "notebook", name: "n", kernel: { id: f.kernel } }),
      expect: [401, 201, 404, 201],
    },
  ],
  "GET /api/sessions/:id": [{ method: "GET", url: (f) => `api/sessions/${f.session}`, expect: OWN }],
  "PATCH /api/sessions/:id": [{ method: "PATCH", url: (f) => `api/sessions/${f.session}`, body: () => ({ name: "n2" }), expect: OWN }],
  "DELETE /api/sessions/:id": [{ method: "DELETE", url: (f) => `api/sessions/${f.session2}`, expect: [401, 204, 404, null] }],
  "GET /api/contents{/*path}": [
    { method: "GET", url: () => `api/contents/${NB}`, expect: OWN },
    { method: "GET", url: () => "api/contents/proposals/A", expect: OWN },
    // The root and the top folders are listed, filtered (asserted below).
    { method: "GET", url: () => "api/contents/proposals", expect: [401, 200, 200, 200] },
    // Traversal stays refused before any rule.
    { method: "GET", url: () => "api/contents/users/bob/..%2F..%2Fproposals/A", expect: [400, 400, 400, 400] },
  ],
  "PUT /api/contents{/*path}": [{ method: "PUT", url: () => "api/contents/proposals/A/put.ipynb", body: () => NOTEBOOK, expect: [401, 201, 404, 200] }],
  "POST /api/contents{/*path}": [
    { method: "POST", url: () => "api/contents/proposals/A", body: () => ({ type: "notebook" }), expect: [401, 201, 404, 201] },
    // Copying someone else's notebook into your own folder is refused too.
    { method: "POST", url: () => "api/contents/proposals/B", body: () => ({ copy_from: NB }), expect: [401, 404, 404, 201] },
  ],
  "PATCH /api/contents{/*path}": [
    { method: "PATCH", url: () => "api/contents/proposals/A/put.ipynb", body: () => ({ path: "proposals/A/moved.ipynb" }), expect: [401, 200, 404, 404] },
    // Moving your notebook out into another proposal is refused.
    { method: "PATCH", url: () => "api/contents/proposals/A/moved.ipynb", body: () => ({ path: "proposals/B/stolen.ipynb" }), expect: [401, 404, 404, 200] },
  ],
  "DELETE /api/contents{/*path}": [{ method: "DELETE", url: () => "api/contents/proposals/A/Untitled.ipynb", expect: [401, 204, 404, null] }],
  "GET /api/lightbook/data/tree{/*path}": [
    { method: "GET", url: () => "api/lightbook/data/tree/pa", expect: OWN },
    { method: "GET", url: () => "api/lightbook/data/tree", expect: [401, 200, 200, 200] },
  ],
  "GET /api/lightbook/data/files{/*path}": [{ method: "GET", url: () => "api/lightbook/data/files/pa/scan.h5", expect: OWN }],
  "GET /api/lightbook/h5grove/meta/": [{ method: "GET", url: () => `api/lightbook/h5grove/meta/?${H5}`, expect: OWN }],
  "GET /api/lightbook/h5grove/attr/": [{ method: "GET", url: () => `api/lightbook/h5grove/attr/?${H5}`, expect: OWN }],
  "GET /api/lightbook/h5grove/paths/": [{ method: "GET", url: () => `api/lightbook/h5grove/paths/?${H5}`, expect: OWN }],
  "GET /api/lightbook/h5grove/data/": [
    { method: "GET", url: () => "api/lightbook/h5grove/data/?file=pa/scan.h5&path=/entry/data/data&selection=0,0", expect: OWN },
  ],
  "GET /api/lightbook/kernels/:id/executions": [{ method: "GET", url: (f) => `api/lightbook/kernels/${f.kernel}/executions`, expect: OWN }],
  "POST ^\\/api\\/lightbook\\/notebooks\\/.+\\/executions$": [
    { method: "POST", url: () => `api/lightbook/notebooks/${NB}/executions`, body: () => ({ all: true }), expect: [401, 202, 404, 202] },
  ],
  "GET ^\\/api\\/lightbook\\/notebooks\\/.+\\/executions$": [{ method: "GET", url: () => `api/lightbook/notebooks/${NB}/executions`, expect: OWN }],
  "POST ^\\/api\\/lightbook\\/notebooks\\/.+\\/outputs\\/clear$": [
    { method: "POST", url: () => `api/lightbook/notebooks/${NB}/outputs/clear`, body: () => ({ all: true }), expect: [401, 204, 404, 204] },
  ],
  "_ALL ^\\/api\\/lightbook\\/notebooks\\/(.+)\\/revisions(?:\\/([^/]+)(\\/restore)?)?\\/?$": [
    { method: "GET", url: () => `api/lightbook/notebooks/${NB}/revisions`, expect: OWN },
    { method: "GET", url: () => `api/lightbook/notebooks/${NB}/revisions/00000000-0000-4000-8000-000000000000`, expect: [401, 404, 404, 404] },
  ],
  "GET /api/lightbook/agents": [{ method: "GET", url: () => "api/lightbook/agents", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/algorithms": [{ method: "GET", url: () => "api/lightbook/algorithms", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/programs": [{ method: "GET", url: () => "api/lightbook/programs", expect: [401, 200, 200, 200] }],
  // A noop task has no program log: the owner hears "no log", anyone else "no run".
  "GET /api/lightbook/runs/:id/tasks/:partition/log": [{ method: "GET", url: (f) => `api/lightbook/runs/${f.run}/tasks/0/log`, expect: [401, 404, 404, 404] }],
  "POST /api/lightbook/runs": [
    { method: "POST", url: () => "api/lightbook/runs", body: (f) => ({ recipe: RECIPE, proposal_id: f.proposalA }), expect: [401, 201, 400, 201] },
  ],
  "GET /api/lightbook/runs": [{ method: "GET", url: () => "api/lightbook/runs", expect: [401, 200, 200, 200] }],
  "GET /api/lightbook/runs/:id": [{ method: "GET", url: (f) => `api/lightbook/runs/${f.run}`, expect: OWN }],
  "GET /api/lightbook/runs/:id/results": [{ method: "GET", url: (f) => `api/lightbook/runs/${f.run}/results`, expect: OWN }],
  "POST /api/lightbook/runs/:id/tasks": [
    {
      method: "POST",
      url: (f) => `api/lightbook/runs/${f.run}/tasks`,
      body: () => ({ input: { kind: "range", start: 0, stop: 1 } }),
      expect: [401, 409, 404, 409],
    },
  ],
  "POST /api/lightbook/runs/:id/close": [{ method: "POST", url: (f) => `api/lightbook/runs/${f.run}/close`, expect: [401, 200, 404, 200] }],
  "DELETE /api/lightbook/runs/:id": [{ method: "DELETE", url: (f) => `api/lightbook/runs/${f.run2}`, expect: [401, 204, 404, null] }],
  "GET /metrics": [{ method: "GET", url: () => "metrics", expect: ADMIN_ONLY }],
};

let server: RunningServer;
let db: Db;
const headers: Record<Who, Record<string, string>> = { anonymous: {}, own: {}, foreign: {}, admin: {} };
let f: Fixture;

async function call(who: Who, method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL(url, server.url), {
    method,
    headers: { "Content-Type": "application/json", ...headers[who] },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

async function created<T = { id: string }>(who: Who, method: string, url: string, body: unknown): Promise<T> {
  const r = await call(who, method, url, body);
  assert.ok(r.status === 201 || r.status === 200, `${who} ${method} ${url}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as T;
}

before(async () => {
  server = await startServer({ web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0", LIGHTBOOK_DEMO: "1" } });
  db = createDb(server.databaseUrl);
  await seedProposalFolders(server.stateDir, ["pa", "pb"]);
  headers.admin = { Authorization: `token ${server.token}` };
  const accounts = new Accounts(db);
  const tokenOf = async (username: string) => {
    const user = await accounts.createUser({ username, role: "user" });
    const t = await accounts.createToken(user.id, { name: "matrix", scopes: [...TOKEN_SCOPES], proposalIds: [], expiresInDays: 1 });
    return { user, header: { Authorization: `token ${t.token}` } };
  };
  const alice = await tokenOf("alice");
  const bob = await tokenOf("bob");
  headers.own = alice.header;
  headers.foreign = bob.header;
  const proposal = async (number: string, dataFolder: string, username: string, beamline: string) => {
    const p = await created("admin", "POST", "api/lightbook/admin/proposals", { number, beamline, dataFolder });
    await created("admin", "POST", `api/lightbook/admin/proposals/${p.id}/members`, { username });
    return p.id;
  };
  const proposalA = await proposal("A", "pa", "alice", "P11");
  await proposal("B", "pb", "bob", "P06");
  await created("admin", "PUT", `api/contents/${NB}`, NOTEBOOK);
  const kernel = await created("own", "POST", "api/kernels", {});
  const kernel2 = await created("own", "POST", "api/kernels", {});
  const session = await created("own", "POST", "api/sessions", { path: NB, type: "notebook", name: "n", kernel: { id: kernel.id } });
  const session2 = await created("own", "POST", "api/sessions", { path: "proposals/A/other.ipynb", type: "notebook", name: "o", kernel: {} });
  const run = await created("own", "POST", "api/lightbook/runs", { recipe: RECIPE, proposal_id: proposalA });
  const run2 = await created("own", "POST", "api/lightbook/runs", { recipe: RECIPE });
  const token = await created("own", "POST", "api/lightbook/tokens", { name: "doomed", scopes: ["read"] });
  const beamtime = await created("admin", "POST", `api/lightbook/admin/proposals/${proposalA}/beamtimes`, {
    start: "2026-11-01T08:00:00Z",
    end: "2026-11-02T08:00:00Z",
  });
  const specs = (await (await fetch(new URL("api/kernelspecs", server.url), { headers: headers.admin })).json()) as { default: string };
  f = {
    spec: specs.default,
    kernel: kernel.id,
    kernel2: kernel2.id,
    session: session.id,
    session2: session2.id,
    run: run.id,
    run2: run2.id,
    proposalA,
    alice: alice.user.id,
    token: token.id,
    beamtime: beamtime.id,
  };
});

after(async () => {
  await db.$disconnect();
  await server.dispose();
});

test("every route of the server has a rule in the access matrix, and every rule a route", () => {
  const routes = serverRouteTable();
  const ruled = new Set([...PUBLIC, ...Object.keys(MATRIX)]);
  assert.deepEqual(
    routes.filter((r) => !ruled.has(r)),
    [],
    "routes without a rule: add them to MATRIX",
  );
  assert.deepEqual(
    [...ruled].filter((r) => !routes.includes(r)),
    [],
    "rules for routes that are gone",
  );
});

test("each route answers each caller as the matrix says: anonymous 401, a foreign proposal's user as if nothing were there", async () => {
  const seen: string[] = [];
  const wrong: string[] = [];
  for (const [route, probes] of Object.entries(MATRIX)) {
    for (const p of probes) {
      // Anonymous and the foreign user first: a refused request must not change what the owner then finds.
      for (const who of ["anonymous", "foreign", "own", "admin"] as const) {
        const expected = p.expect[WHO.indexOf(who)];
        if (expected === null) continue;
        const url = p.url(f);
        const r = await call(who, p.method, url, p.body?.(f));
        seen.push(`${route} ${who} ${r.status}`);
        if (r.status !== expected) wrong.push(`${p.method} ${url} as ${who}: ${r.status} (expected ${expected}) ${r.text.slice(0, 160)}`);
      }
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${seen.length} answers differ`);
});

test("listings show each user only their own: kernels, sessions, runs, the contents root and the data root", async () => {
  const ids = async (who: Who, url: string, key = "id") =>
    ((await (await fetch(new URL(url, server.url), { headers: headers[who] })).json()) as Record<string, string>[]).map((x) => x[key]);
  assert.ok((await ids("own", "api/kernels")).includes(f.kernel));
  assert.ok(!(await ids("foreign", "api/kernels")).includes(f.kernel));
  assert.ok(!(await ids("foreign", "api/sessions")).includes(f.session));
  assert.ok((await ids("own", "api/lightbook/runs")).includes(f.run));
  assert.deepEqual(await ids("foreign", "api/lightbook/runs"), []);
  const listing = async (who: Who, url: string, key: string) => {
    const body = (await (await fetch(new URL(url, server.url), { headers: headers[who] })).json()) as Record<string, { path: string }[]>;
    return body[key]!.map((e) => e.path);
  };
  assert.deepEqual(await listing("foreign", "api/contents/proposals", "content"), ["proposals/B"]);
  assert.deepEqual(await listing("own", "api/contents", "content"), ["proposals", "users"], "the demo notebooks at the root are the admin's");
  assert.deepEqual(await listing("own", "api/contents/users", "content"), [], "users/admin is not listed to alice");
  assert.deepEqual(await listing("foreign", "api/lightbook/data/tree", "entries"), ["pb"]);
  assert.ok((await listing("admin", "api/lightbook/data/tree", "entries")).includes("pa"));
});

test("removing a member ends their reach at once: the next request of their token is refused", async () => {
  const bobId = ((await (await fetch(new URL("api/lightbook/me", server.url), { headers: headers.foreign })).json()) as { userId: string }).userId;
  await created("admin", "POST", `api/lightbook/admin/proposals/${f.proposalA}/members`, { username: "bob" });
  assert.equal((await call("foreign", "GET", `api/contents/${NB}`)).status, 200);
  assert.equal((await call("admin", "DELETE", `api/lightbook/admin/proposals/${f.proposalA}/members/${bobId}`)).status, 204);
  assert.equal((await call("foreign", "GET", `api/contents/${NB}`)).status, 404);
  assert.equal((await call("foreign", "GET", `api/lightbook/runs/${f.run}`)).status, 404);
});

test("a kernel holds its owner's own token (read and runs only), never the server's, and it goes with the kernel", async () => {
  const row = await db.kernel.findUniqueOrThrow({ where: { id: f.kernel }, select: { ownerId: true, tokenId: true } });
  assert.equal(row.ownerId, f.alice);
  const token = await db.apiToken.findUniqueOrThrow({ where: { id: row.tokenId! } });
  assert.deepEqual([token.userId, token.scopes], [f.alice, ["read", "runs"]]);
  const doomed = await created("own", "POST", "api/kernels", {});
  const doomedToken = (await db.kernel.findUniqueOrThrow({ where: { id: doomed.id } })).tokenId!;
  assert.equal((await call("own", "DELETE", `api/kernels/${doomed.id}`)).status, 204);
  assert.equal(await db.apiToken.count({ where: { id: doomedToken } }), 0);
  // A kernel started for a proposal's notebook reaches that proposal only: its runs are the proposal's.
  const session = await created<{ kernel: { id: string } }>("own", "POST", "api/sessions", {
    path: "proposals/A/scoped.ipynb",
    type: "notebook",
    name: "s",
    kernel: {},
  });
  const scoped = await db.kernel.findUniqueOrThrow({ where: { id: session.kernel.id } });
  assert.equal(scoped.proposalId, f.proposalA);
  assert.deepEqual((await db.apiToken.findUniqueOrThrow({ where: { id: scoped.tokenId! } })).proposalIds, [f.proposalA]);
  // A token narrowed to A sees alice's kernels of A, not her personal ones, and starts its kernels for A.
  const narrowed = await new Accounts(db).createToken(f.alice, { name: "a-only", scopes: [...TOKEN_SCOPES], proposalIds: [f.proposalA], expiresInDays: 1 });
  const asNarrowed = { Authorization: `token ${narrowed.token}`, "Content-Type": "application/json" };
  const listed = (await (await fetch(new URL("api/kernels", server.url), { headers: asNarrowed })).json()) as { id: string }[];
  assert.deepEqual(
    listed.map((k) => k.id),
    [session.kernel.id],
  );
  assert.equal((await fetch(new URL(`api/kernels/${f.kernel}`, server.url), { headers: asNarrowed })).status, 404);
  const started = await fetch(new URL("api/kernels", server.url), { method: "POST", headers: asNarrowed, body: "{}" });
  assert.equal(started.status, 201);
  const own = (await started.json()) as { id: string };
  assert.equal((await db.kernel.findUniqueOrThrow({ where: { id: own.id } })).proposalId, f.proposalA);
  assert.equal((await fetch(new URL(`api/kernels/${own.id}`, server.url), { method: "DELETE", headers: asNarrowed })).status, 204);
});

test("an instrument scientist reaches every proposal on their beamlines, as a member does, and no other", async () => {
  const accounts = new Accounts(db);
  const carol = await accounts.createUser({ username: "staff.p11", role: "user" });
  const t = await accounts.createToken(carol.id, { name: "staff", scopes: [...TOKEN_SCOPES], proposalIds: [], expiresInDays: 1 });
  const staff = { Authorization: `token ${t.token}` };
  const get = async (url: string) => (await fetch(new URL(url, server.url), { headers: staff })).status;
  assert.equal(await get(`api/contents/${NB}`), 404, "a plain user first");
  const r = await call("admin", "PATCH", `api/lightbook/admin/users/${carol.id}`, { role: "instrument_scientist", beamlines: ["P11"] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([await get(`api/contents/${NB}`), await get(`api/lightbook/runs/${f.run}`), await get("api/lightbook/data/tree/pa")], [200, 200, 200]);
  assert.deepEqual([await get("api/contents/proposals/B"), await get("api/lightbook/data/tree/pb")], [404, 404], "B is on P06");
  const spaces = (await (await fetch(new URL("api/lightbook/me/proposals", server.url), { headers: staff })).json()) as {
    proposals: { number: string; role: string | null }[];
  };
  assert.deepEqual(spaces.proposals, [{ ...spaces.proposals[0]!, number: "A", role: null }]);
});

test("WebSockets are authorized as their routes: someone else's kernel channels and run events are 404, every run's events the admins'", async () => {
  const upgrade = (who: Who, path: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(new URL(path, server.url.replace(/^http/, "ws")), { headers: { ...headers[who], Origin: server.url.replace(/\/$/, "") } });
      ws.on("open", () => {
        ws.close();
        resolve(101);
      });
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on("error", (e) => (e.message.includes("Unexpected server response") ? undefined : reject(e)));
    });
  const channels = `api/kernels/${f.kernel}/channels`;
  const events = `api/lightbook/events?run=${f.run}`;
  assert.deepEqual(
    await Promise.all([channels, events, "api/lightbook/events"].flatMap((p) => WHO.map((who) => upgrade(who, p)))),
    [401, 101, 404, 101, 401, 101, 404, 101, 401, 403, 403, 101],
    "[anonymous, own, foreign, admin] for the kernel's channels, its run's events, every run's events",
  );
});
