import assert from "node:assert/strict";
import { test } from "node:test";
import { AccessResolver, can, runScope, visible, type Access } from "../../server/auth/authorizer.ts";
import type { Principal } from "../../contracts/accounts.ts";

const alice: Principal = { userId: "u-alice", username: "alice", role: "user", credential: "session", sessionKey: null, scopes: null, proposalIds: null };
const A = { id: "p-a", number: "20261234", dataFolder: "2026/a", embargo: null, beamline: "P06" };
const EMBARGOED = { id: "p-old", number: "20190001", dataFolder: "2019/old", embargo: new Date("2026-01-01T00:00:00Z"), beamline: "P11" };
const access: Access = { principal: alice, proposals: [A, EMBARGOED] };
const NOW = new Date("2026-12-03T12:00:00Z");

test("notebooks: the personal folder and the proposals' folders, nothing beside them, not even by a shared prefix", () => {
  for (const path of ["users/alice", "users/alice/n.ipynb", "proposals/20261234/x/n.ipynb", "proposals/20190001/n.ipynb"])
    assert.ok(can(access, "write", { kind: "notebook", path }), path);
  for (const path of ["users/alice2/n.ipynb", "users/bob", "proposals/202612345/n.ipynb", "proposals/2026123", "Welcome.ipynb"])
    assert.ok(!can(access, "read", { kind: "notebook", path }), path);
  for (const path of ["", "users", "proposals"]) {
    assert.ok(can(access, "read", { kind: "notebook", path }), `${path} is listed`);
    assert.ok(!can(access, "write", { kind: "notebook", path }), `${path} is not written`);
  }
});

test("data: inside a proposal's folder until its embargo; ancestors are listed, not read beside", () => {
  assert.ok(can(access, "read", { kind: "data", path: "2026/a/scan.h5" }, NOW));
  assert.ok(!can(access, "read", { kind: "data", path: "2019/old/scan.h5" }, NOW), "past the embargo");
  assert.ok(can(access, "read", { kind: "data", path: "2019/old/scan.h5" }, new Date("2025-12-31T00:00:00Z")), "before the embargo");
  assert.ok(can(access, "read", { kind: "data", path: "2026" }, NOW), "the way down");
  assert.ok(!can(access, "read", { kind: "data", path: "2026/ab" }, NOW));
  const none: Access = { principal: alice, proposals: [] };
  assert.ok(can(none, "read", { kind: "data", path: "" }, NOW), "the root is listed, to nothing");
  assert.ok(!visible(none, { kind: "data", path: "2026" }, NOW));
  assert.deepEqual(
    ["2026", "2019", "2026/a", "2026/b", "other"].filter((path) => visible(access, { kind: "data", path }, NOW)),
    ["2026", "2026/a"],
  );
});

test("kernels and runs: the owner's; runs of a proposal to its members; kernels of nobody to admins only", () => {
  assert.ok(can(access, "write", { kind: "kernel", ownerId: "u-alice", proposalId: null }));
  assert.ok(can(access, "write", { kind: "kernel", ownerId: "u-alice", proposalId: "p-a" }));
  assert.ok(!can(access, "read", { kind: "kernel", ownerId: "u-bob", proposalId: null }));
  assert.ok(!can(access, "read", { kind: "kernel", ownerId: null, proposalId: null }));
  assert.ok(can(access, "read", { kind: "run", ownerId: "u-bob", proposalId: "p-a" }));
  assert.ok(!can(access, "read", { kind: "run", ownerId: "u-bob", proposalId: "p-b" }));
  const admin: Access = { principal: { ...alice, role: "admin" }, proposals: [] };
  assert.ok(can(admin, "write", { kind: "kernel", ownerId: null, proposalId: null }));
  assert.ok(can(admin, "write", { kind: "service" }));
  assert.ok(!can(access, "read", { kind: "service" }));
  assert.ok(can(access, "read", { kind: "facility" }) && !can(access, "write", { kind: "facility" }));
});

test("a token scoped to proposals reaches those only, not the personal folder; the resolver forgets on change", async () => {
  let members = [A, EMBARGOED];
  const resolver = new AccessResolver(async () => members);
  const scoped = await resolver.of({ ...alice, credential: "api_token", scopes: ["read"], proposalIds: ["p-a"] });
  assert.deepEqual(scoped.proposals, [A]);
  assert.ok(!can(scoped, "read", { kind: "notebook", path: "users/alice/n.ipynb" }));
  assert.ok(can(scoped, "read", { kind: "notebook", path: "proposals/20261234/n.ipynb" }));
  members = [];
  assert.equal((await resolver.of(alice)).proposals.length, 2, "cached");
  resolver.forget();
  assert.equal((await resolver.of(alice)).proposals.length, 0, "read again");
});

test("a run's scope: a proposal's run reads its folder (nothing after the embargo, but for admins); a personal run what its submitter reads", () => {
  assert.deepEqual(runScope(access, A, NOW), { beamline: "P06", dataFolders: ["2026/a"] });
  assert.deepEqual(runScope(access, EMBARGOED, NOW), { beamline: "P11", dataFolders: [] });
  assert.deepEqual(runScope(access, null, NOW), { beamline: null, dataFolders: ["2026/a"] });
  const admin: Access = { principal: { ...alice, role: "admin" }, proposals: [] };
  assert.deepEqual(runScope(admin, EMBARGOED, NOW), { beamline: "P11", dataFolders: ["2019/old"] });
  assert.deepEqual(runScope(admin, null, NOW), { beamline: null, dataFolders: [""] });
});

test("a token narrowed to a proposal reaches its user's kernels of that proposal only, not their personal ones", () => {
  const scoped: Access = { principal: { ...alice, credential: "api_token", proposalIds: ["p-a"] }, proposals: [A] };
  assert.ok(can(scoped, "write", { kind: "kernel", ownerId: "u-alice", proposalId: "p-a" }));
  assert.ok(!can(scoped, "read", { kind: "kernel", ownerId: "u-alice", proposalId: null }));
  assert.ok(!can(scoped, "read", { kind: "kernel", ownerId: "u-alice", proposalId: "p-old" }));
});
