import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../server/config.ts";

test("LIGHTBOOK_MAX_READ_BYTES: 256 MiB by default, a positive integer of bytes otherwise", () => {
  assert.equal(loadConfig({}).maxReadBytes, 256 * 2 ** 20);
  assert.equal(loadConfig({ LIGHTBOOK_MAX_READ_BYTES: "1048576" }).maxReadBytes, 2 ** 20);
  for (const bad of ["0", "-5", "1.5", "lots"]) {
    assert.throws(
      () => loadConfig({ LIGHTBOOK_MAX_READ_BYTES: bad }),
      (e: unknown) => e instanceof ConfigError && /^invalid configuration: LIGHTBOOK_MAX_READ_BYTES: /.test(e.message),
      bad,
    );
  }
});
