import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { dataRoot, resolveDataPath } from "../../analysis/data-root.ts";
import { DataRootError, NotFoundError, ParameterError } from "../../analysis/errors.ts";

let base: string;
let root: string;

before(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), "lightbook-analysis-root-")));
  root = path.join(base, "data");
  await mkdir(path.join(root, "scans", "inner"), { recursive: true });
  await mkdir(path.join(base, "data-other"));
  await writeFile(path.join(root, "scans", "scan_1.h5"), "h5");
  await writeFile(path.join(base, "data-other", "secret.h5"), "secret");
  await writeFile(path.join(base, "outside.h5"), "outside");
  await symlink(path.join(base, "outside.h5"), path.join(root, "escape.h5"));
  await symlink(path.join(base, "data-other"), path.join(root, "sibling"));
  await symlink(path.join(root, "scans"), path.join(root, "alias"));
  await symlink(path.join(base, "nowhere.h5"), path.join(root, "dangling.h5"));
});

after(() => rm(base, { recursive: true, force: true }));

test("paths inside the root resolve to real absolute paths, through symlinks that stay inside", () => {
  assert.equal(resolveDataPath("scans/scan_1.h5", { root }), path.join(root, "scans", "scan_1.h5"));
  assert.equal(resolveDataPath("./scans//scan_1.h5", { root }), path.join(root, "scans", "scan_1.h5"));
  assert.equal(resolveDataPath("alias/scan_1.h5", { root }), path.join(root, "scans", "scan_1.h5"));
  assert.equal(resolveDataPath("scans/inner/new.h5", { root, mustExist: false }), path.join(root, "scans", "inner", "new.h5"));
});

test("`..`, absolute paths and encoded characters are refused before touching the disk", () => {
  for (const bad of ["../outside.h5", "scans/../../outside.h5", "scans/inner/../../..", "..", "scans\\..\\..\\outside.h5"]) {
    assert.throws(() => resolveDataPath(bad, { root }), DataRootError, bad);
  }
  assert.throws(() => resolveDataPath(path.join(root, "scans/scan_1.h5"), { root }), /not an absolute path/);
  for (const bad of ["%2e%2e/outside.h5", "scans/%2E%2E/%2e%2e/outside.h5", "%2fetc/passwd", "scans%2fscan_1.h5"]) {
    assert.throws(() => resolveDataPath(bad, { root }), /percent-encoded/, bad);
  }
  assert.throws(() => resolveDataPath("scans/scan_1.h5\0.txt", { root }), /NUL/);
  assert.throws(() => resolveDataPath("", { root }), DataRootError);
});

test("symlinks leading outside the root are refused, including into a sibling folder sharing the root's prefix", () => {
  assert.throws(() => resolveDataPath("escape.h5", { root }), /outside the data root/);
  assert.throws(() => resolveDataPath("sibling/secret.h5", { root }), /outside the data root/);
  assert.throws(() => resolveDataPath("sibling/new.h5", { root, mustExist: false }), /outside the data root/);
  assert.throws(() => resolveDataPath("dangling.h5", { root, mustExist: false }), /dangling symlink/);
});

test("missing files are NotFoundError naming the path; the error carries the path as context", () => {
  assert.throws(
    () => resolveDataPath("scans/missing.h5", { root }),
    (e: unknown) => e instanceof NotFoundError && e.context.file === "scans/missing.h5" && /scans\/missing\.h5/.test(e.message),
  );
});

test("the data root comes from LIGHTBOOK_DATA_ROOT and must exist", () => {
  assert.equal(dataRoot({ LIGHTBOOK_DATA_ROOT: root }), root);
  assert.throws(() => dataRoot({}), /LIGHTBOOK_DATA_ROOT is not set/);
  assert.throws(() => dataRoot({ LIGHTBOOK_DATA_ROOT: path.join(base, "missing") }), /does not exist/);
});

test("paths too long for the file system are ParameterError saying the limit (they were ENAMETOOLONG from inside the check)", () => {
  assert.throws(
    () => resolveDataPath(`scans/${"a".repeat(2000)}.h5`, { root }),
    (e: unknown) => e instanceof ParameterError && /2009 bytes long; at most 1024/.test(e.message),
  );
  assert.throws(
    () => resolveDataPath(`scans/${"é".repeat(150)}`, { root }),
    (e: unknown) => e instanceof ParameterError && /a name in the path is 300 bytes long; at most 255/.test(e.message),
  );
  assert.throws(() => resolveDataPath(`scans/${"b".repeat(255)}`, { root }), NotFoundError, "255 bytes is a name the file system takes");
});

test("a run's folders: paths outside them are answered as missing files, existing or not, and symlinks out of them are caught", async () => {
  await mkdir(path.join(root, "p1"), { recursive: true });
  await mkdir(path.join(root, "p10"), { recursive: true });
  await writeFile(path.join(root, "p1", "a.h5"), "a");
  await writeFile(path.join(root, "p10", "b.h5"), "b");
  await symlink(path.join(root, "p10", "b.h5"), path.join(root, "p1", "link.h5"));
  const folders = ["p1"];
  assert.equal(resolveDataPath("p1/a.h5", { root, folders }), path.join(root, "p1", "a.h5"));
  assert.equal(resolveDataPath("./p1//new.h5", { root, folders, mustExist: false }), path.join(root, "p1", "new.h5"));
  for (const [bad, mustExist] of [
    ["p10/b.h5", true],
    ["p10/none.h5", false],
    ["scans/scan_1.h5", true],
    ["p1/link.h5", true],
    ["alias/scan_1.h5", true],
  ] as const) {
    assert.throws(
      () => resolveDataPath(bad, { root, folders, mustExist }),
      (e: unknown) => e instanceof NotFoundError && /no such file under the data root/.test(e.message),
      bad,
    );
  }
  assert.throws(() => resolveDataPath("p1/a.h5", { root, folders: [] }), NotFoundError);
  assert.equal(resolveDataPath("p10/b.h5", { root, folders: [""] }), path.join(root, "p10", "b.h5"));
});
