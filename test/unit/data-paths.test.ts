import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { asHttpError } from "../../server/http/errors.ts";
import { resolveDataPath } from "../../server/data/paths.ts";

let base: string;
let root: string;

before(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), "lightbook-data-")));
  root = path.join(base, "data");
  await mkdir(path.join(root, "scans"), { recursive: true });
  await mkdir(path.join(base, "data-evil"));
  await writeFile(path.join(root, "scans", "scan_1.h5"), "h5");
  await writeFile(path.join(base, "data-evil", "secret"), "secret");
  await writeFile(path.join(base, "outside"), "outside");
  await symlink(path.join(base, "outside"), path.join(root, "escape-file"));
  await symlink(path.join(base, "data-evil"), path.join(root, "escape-dir"));
  await symlink(path.join(root, "scans", "scan_1.h5"), path.join(root, "latest.h5"));
});
after(() => rm(base, { recursive: true, force: true }));

const refused = (status: number) => (e: unknown) => asHttpError(e)?.status === status;

test("paths inside the data root resolve to real files, through symlinks that stay inside", async () => {
  assert.deepEqual(await resolveDataPath(root, ""), { relative: "", absolute: root });
  assert.deepEqual(await resolveDataPath(root, "scans/scan_1.h5"), { relative: "scans/scan_1.h5", absolute: path.join(root, "scans", "scan_1.h5") });
  assert.deepEqual(await resolveDataPath(root, "latest.h5"), { relative: "latest.h5", absolute: path.join(root, "scans", "scan_1.h5") });
  assert.equal((await resolveDataPath(root, "scans%2Fscan_1.h5".replace("%2F", "/"))).relative, "scans/scan_1.h5");
});

test("dot segments, encoded dots and slashes, absolute paths and backslashes are refused", async () => {
  for (const p of [
    "..",
    "../data-evil/secret",
    "scans/../../outside",
    "%2e%2e/outside",
    "%2E%2e/data-evil/secret",
    "scans/%252e%252e/x",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "//etc/passwd",
    "..\\outside",
    "a%00b",
    "scans/%2f..%2foutside",
  ]) {
    await assert.rejects(resolveDataPath(root, p), refused(400), p);
  }
});

test("a sibling folder sharing the root's prefix is not inside it", async () => {
  // The symlink resolves to /x/data-evil/secret, and "/x/data-evil/secret".startsWith("/x/data").
  await assert.rejects(resolveDataPath(root, "escape-dir/secret"), refused(403), "a symlink into the sibling");
});

test("symlinks leading outside the root are refused; missing files are 404", async () => {
  await assert.rejects(resolveDataPath(root, "escape-file"), refused(403));
  await assert.rejects(resolveDataPath(root, "escape-dir"), refused(403));
  await assert.rejects(resolveDataPath(root, "scans/missing.h5"), refused(404));
});
