import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { itemsOf, ResultIntegrityError } from "../../contracts/result-array.ts";
import { decodeResult, encodeResult, resultForWire } from "../../queue/result-codec.ts";

const RUN = "11111111-2222-3333-4444-555555555555";

test("equally long typed arrays are stored as bytes with dtype, shape and sha256, and come back as arrays", async () => {
  const rows = [new Float64Array([1, 2.5, -3]), new Float64Array([4, 5, 6])];
  const stored = await encodeResult(rows, { runId: RUN, partition: 0 });
  assert.equal(stored.dtype, "float64");
  assert.deepEqual(stored.shape, [2, 3]);
  assert.equal(stored.bytes!.length, 48);
  assert.equal(stored.sha256, createHash("sha256").update(stored.bytes!).digest("hex"));
  assert.deepEqual(await decodeResult(stored), [
    [1, 2.5, -3],
    [4, 5, 6],
  ]);
});

test("large arrays go to a file under the results root; a changed file is refused", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "lightbook-results-"));
  try {
    const rows = [new Uint32Array([1, 2]), new Uint32Array([3, 4])];
    const stored = await encodeResult(rows, { runId: RUN, partition: 7, resultsRoot: root, fileThreshold: 4 });
    assert.equal(stored.bytes, null);
    assert.equal(stored.path, path.join("runs", RUN, "7.bin"));
    assert.equal((await readFile(path.join(root, stored.path))).length, 16);
    assert.deepEqual(await decodeResult(stored, root), [
      [1, 2],
      [3, 4],
    ]);
    await writeFile(path.join(root, stored.path), Buffer.alloc(16));
    await assert.rejects(decodeResult(stored, root), ResultIntegrityError);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("anything else is JSON; typed arrays inside objects become plain arrays", async () => {
  const stored = await encodeResult([{ spots: 3, profile: new Float32Array([0.5]) }, 7, null], { runId: RUN, partition: 1 });
  assert.equal(stored.dtype, null);
  assert.deepEqual(await decodeResult(stored), [{ spots: 3, profile: [0.5] }, 7, null]);
});

test("for cells, typed-array results travel as base64 bytes and come back as typed arrays; JSON results as they were", async () => {
  const rows = [new Float32Array([1, 2.5, -3]), new Float32Array([4, 5, Number.NaN])];
  const stored = await encodeResult(rows, { runId: RUN, partition: 0 });
  const wire = JSON.parse(JSON.stringify(await resultForWire(stored, undefined, true))) as Awaited<ReturnType<typeof resultForWire>>;
  assert.equal(wire.value, null);
  assert.deepEqual([wire.array!.dtype, wire.array!.shape], ["float32", [2, 3]]);
  assert.deepEqual(itemsOf(wire), rows);
  assert.deepEqual(itemsOf(await resultForWire(stored, undefined, false)), [
    [1, 2.5, -3],
    [4, 5, Number.NaN],
  ]);
  const json = await encodeResult([{ spots: 3 }, 7], { runId: RUN, partition: 1 });
  assert.deepEqual(itemsOf(await resultForWire(json, undefined, true)), [{ spots: 3 }, 7]);
  await assert.rejects(resultForWire({ ...stored, bytes: Buffer.alloc(24) }, undefined, true), ResultIntegrityError);
});
