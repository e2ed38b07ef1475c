// Virtual datasets (issue 12): HDF5 opens their source files itself, by name, when they are read,
// so the library reads one only when every source is inside the data root (as external links).
// Fixtures by Debian's h5py, whose HDF5 reads the outside values (1000..) that must never come back.

import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { DataRootError, NotFoundError, openH5 } from "../../analysis/index.ts";
import { makeFixture, tempDataRoot } from "./fixtures.ts";

let base: string;
let root: string;
let cleanup: () => Promise<void>;
let truth: { inside: number[]; cases: Record<string, "ok" | "outside" | "missing"> };

before(async () => {
  ({ root: base, cleanup } = await tempDataRoot());
  root = path.join(base, "root");
  await mkdir(root);
  await makeFixture(root, "virtual", "vds", "../outside");
  truth = JSON.parse(await readFile(path.join(root, "vds/virtual.json"), "utf8")) as typeof truth;
});

after(() => cleanup());

test("virtual datasets whose sources are in the data root read as h5py reads them (other files, its own file)", async () => {
  {
    using f = await openH5("vds/inside.h5", { root });
    assert.deepEqual([...f.dataset("/data").readAll().data], [...truth.inside, ...truth.inside]);
  }
  using same = await openH5("vds/same_file.h5", { root });
  assert.deepEqual([...same.dataset("/data").frame(2).data], truth.inside.slice(40));
});

test("virtual datasets with a source outside the data root are refused before HDF5 opens it, as external links are", async () => {
  const refused = Object.entries(truth.cases).filter(([, expect]) => expect !== "ok");
  assert.deepEqual(refused.map(([name]) => name).sort(), [
    "absolute_outside.h5",
    "chain.h5",
    "missing.h5",
    "pattern.h5",
    "relative_outside.h5",
    "through_link.h5",
  ]);
  const messages: Record<string, RegExp> = {
    "absolute_outside.h5": /takes data from \/.*secret\.h5, outside the data root/,
    "relative_outside.h5": /takes data from \.\.\/\.\.\/outside\/secret\.h5, outside the data root/,
    // A source that is itself virtual, over a file outside.
    "chain.h5": /outside the data root/,
    "through_link.h5": /\/link in src\.h5, which is reached through an external link/,
    "pattern.h5": /names its source files by a pattern .*part%b\.h5/,
    "missing.h5": /missing file no-such-file\.h5/,
  };
  for (const [name, expect] of refused) {
    using f = await openH5(`vds/${name}`, { root });
    // Browsing still works: the tree and the dataset's shape come from this file alone.
    assert.ok(
      f.tree().some((n) => n.path === "/data" && n.kind === "dataset"),
      name,
    );
    const Refusal = expect === "missing" ? NotFoundError : DataRootError;
    assert.throws(
      () => f.dataset("/data").readAll(),
      (e: unknown) => e instanceof Refusal && messages[name]!.test(e.message) && e.context.dataset === "/data",
      name,
    );
  }
});
