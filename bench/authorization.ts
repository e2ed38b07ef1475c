/**
 * What authorization adds to a request (issue 13: "≤ 1 ms p99"). The same requests, interleaved,
 * each with a personal API token (so authentication costs both the same), as an admin (the
 * authorizer answers at once: no proposals to look up) and as a member of a
 * proposal with 20 proposals (their memberships resolved and cached, the path or owner checked,
 * listings filtered): reading a notebook's model, listing a proposal's folder, listing runs and
 * kernels, over HTTP against the real server and PostgreSQL. Also `can()` alone, in process.
 *
 *   flock /tmp/benchmarks.lock node --import tsx bench/authorization.ts [--requests 2000] [--write]
 */
import { parseArgs } from "node:util";
import { Accounts } from "../server/accounts/accounts.ts";
import { AccessResolver, can, visible, type Access } from "../server/auth/authorizer.ts";
import { createDb } from "../server/db/client.ts";
import { TOKEN_SCOPES } from "../contracts/accounts.ts";
import { startServer } from "../test/support/server.ts";
import { writeBenchmarkSection } from "./benchmarks-md.ts";
import { quantile } from "./stats.ts";
import { freshDatabase } from "./workflow-support.ts";

const HEADING = "## Authorization overhead";
const { values } = parseArgs({ options: { requests: { type: "string", default: "2000" }, write: { type: "boolean", default: false } } });
const REQUESTS = Number(values.requests);
const PROPOSALS = 20;

const server = await startServer({ databaseUrl: await freshDatabase(), web: false, env: { LIGHTBOOK_LOCAL_AGENTS: "0" } });
const db = createDb(server.databaseUrl);
try {
  const admin = { Authorization: `token ${server.token}`, "Content-Type": "application/json" };
  const accounts = new Accounts(db);
  const adminUser = await db.user.findFirstOrThrow({ where: { role: "admin" } });
  const adminToken = await accounts.createToken(adminUser.id, { name: "bench", scopes: [...TOKEN_SCOPES], proposalIds: [], expiresInDays: 1 });
  const asAdminHeaders = { Authorization: `token ${adminToken.token}` };
  const post = async (url: string, body: unknown) => {
    const res = await fetch(new URL(url, server.url), { method: "POST", headers: admin, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const user = await accounts.createUser({ username: "member", role: "user" });
  const token = await accounts.createToken(user.id, { name: "bench", scopes: [...TOKEN_SCOPES], proposalIds: [], expiresInDays: 1 });
  const member = { Authorization: `token ${token.token}`, "Content-Type": "application/json" };
  for (let i = 0; i < PROPOSALS; i++) {
    const p = await post("api/lightbook/admin/proposals", { number: `P${i}`, beamline: "P11", dataFolder: `d/${i}` });
    await post(`api/lightbook/admin/proposals/${p.id}/members`, { username: "member" });
  }
  const notebook = { type: "notebook", content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } };
  for (let i = 0; i < 50; i++)
    await fetch(new URL(`api/contents/proposals/P7/n${i}.ipynb`, server.url), { method: "PUT", headers: admin, body: JSON.stringify(notebook) });
  const paths = [
    ["a notebook's model", "api/contents/proposals/P7/n1.ipynb?content=0"],
    ["a proposal's folder (50 notebooks)", "api/contents/proposals/P7"],
    ["runs", "api/lightbook/runs"],
    ["kernels", "api/kernels"],
  ] as const;
  const time = async (url: string, headers: Record<string, string>) => {
    const t = performance.now();
    const res = await fetch(new URL(url, server.url), { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return performance.now() - t;
  };
  const rows: string[] = [];
  for (const [what, url] of paths) {
    const asAdmin: number[] = [];
    const asMember: number[] = [];
    for (let i = 0; i < 100; i++) await Promise.all([time(url, asAdminHeaders), time(url, member)]);
    for (let i = 0; i < REQUESTS; i++) {
      asAdmin.push(await time(url, asAdminHeaders));
      asMember.push(await time(url, member));
    }
    const [a50, a99, m50, m99] = [quantile(asAdmin, 0.5), quantile(asAdmin, 0.99), quantile(asMember, 0.5), quantile(asMember, 0.99)];
    rows.push(
      `| ${what} | ${a50.toFixed(2)} / ${a99.toFixed(2)} | ${m50.toFixed(2)} / ${m99.toFixed(2)} | ${(m99 - a99).toFixed(2)} ms | ${(m99 / a99).toFixed(2)}× |`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
  const access: Access = {
    principal: { userId: user.id, username: "member", role: "user", credential: "api_token", sessionKey: null, scopes: null, proposalIds: [] },
    proposals: Array.from({ length: PROPOSALS }, (_, i) => ({ id: `p${i}`, number: `P${i}`, dataFolder: `d/${i}`, embargo: null, beamline: "P06" })),
  };
  const N = 1_000_000;
  const t = performance.now();
  let allowed = 0;
  for (let i = 0; i < N; i++) if (can(access, "read", { kind: "notebook", path: `proposals/P${i % 40}/n.ipynb` })) allowed++;
  const perCall = ((performance.now() - t) * 1000) / N;
  if (allowed !== N / 2) throw new Error(`can() allowed ${allowed} of ${N}`);
  // A request's whole authorization step, each timed alone: the cached proposals, the check, a 50-entry listing filtered.
  const resolver = new AccessResolver(async () => access.proposals);
  const steps: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    const s0 = performance.now();
    const a = await resolver.of(access.principal);
    if (!can(a, "read", { kind: "notebook", path: "proposals/P7" })) throw new Error("refused");
    let shown = 0;
    for (let j = 0; j < 50; j++) if (visible(a, { kind: "notebook", path: `proposals/P7/n${j}.ipynb` })) shown++;
    if (shown !== 50) throw new Error("filtered");
    steps.push(performance.now() - s0);
  }
  const [s50, s99, s999] = [quantile(steps, 0.5), quantile(steps, 0.99), quantile(steps, 0.999)].map((x) => (x * 1000).toFixed(0));
  const section = [
    HEADING,
    "",
    `The same requests, one at a time and interleaved, ${REQUESTS} each, both with a personal API token, as an admin (the authorizer answers at once) and as a member of ${PROPOSALS} proposals`,
    "(memberships cached, path or owner checked, listings filtered), against the server and PostgreSQL on loopback. The difference of the p99s is",
    "what authorization adds (issue 13 asks ≤ 1 ms). Command: `flock /tmp/benchmarks.lock node --import tsx bench/authorization.ts --write`.",
    "",
    "| request | admin p50 / p99 ms | member p50 / p99 ms | added at p99 | ratio of p99s |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `In process, the authorization step of a folder listing (cached proposals, \`can()\`, 50 entries filtered), each of 100,000 timed alone:`,
    `p50 ${s50} µs, p99 ${s99} µs, p99.9 ${s999} µs. \`can()\` alone, a notebook path against ${PROPOSALS} proposals: ${perCall.toFixed(3)} µs a call.`,
    "Over HTTP the p99s of a two-core machine swing by milliseconds either way between runs (a negative difference is such a swing),",
    "so the in-process p99 is the figure for the ≤ 1 ms bound.",
    "",
  ].join("\n");
  process.stdout.write(`${section}\n`);
  if (values.write) await writeBenchmarkSection(HEADING, section);
} finally {
  await db.$disconnect();
  await server.dispose();
}
