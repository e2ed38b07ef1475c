import assert from "node:assert/strict";
import { test } from "node:test";
import { identifier, loadDatasetCode } from "./loadCode";

test("names become identifiers", () => {
  assert.equal(identifier("scan_0001.h5"), "scan_0001");
  assert.equal(identifier("1st run.nxs"), "_1st_run");
  assert.equal(identifier("data"), "data");
});

test("the inserted cell opens the file under the data root and binds the dataset", () => {
  assert.equal(
    loadDatasetCode("demo/scan_0001.h5", "/entry/data/data"),
    [
      'import h5wasm from "h5wasm/node";',
      "await h5wasm.ready;",
      'const scan_0001_file = new h5wasm.File(`${process.env.LIGHTBOOK_DATA_ROOT}/demo/scan_0001.h5`, "r");',
      'const data = scan_0001_file.get("/entry/data/data") as InstanceType<typeof h5wasm.Dataset>;',
      "data.shape",
    ].join("\n"),
  );
  assert.match(loadDatasetCode("odd`${x}.h5", "/d"), /\/odd\\`\\\$\{x\}\.h5`/, "a file name cannot break out of the template string");
});
