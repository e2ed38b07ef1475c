// The runner's output handling (server/notebooks/): bounded outputs, and writes one notebook at a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputEventFromMessage, type CellOutputEvent } from "../../contracts/outputs.ts";
import type { NbOutput } from "../../contracts/notebook.ts";
import { createLogger } from "../../runtime/log.ts";
import { applyBounded, NO_OUTPUTS } from "../../server/notebooks/bounded-outputs.ts";
import { OutputWrites } from "../../server/notebooks/output-writes.ts";

const stream = (text: string) => outputEventFromMessage("stream", { name: "stdout", text }) as CellOutputEvent;
const shown = (n: number) => outputEventFromMessage("display_data", { data: { "text/plain": String(n) }, metadata: {} }) as CellOutputEvent;

test("a stream past its budget keeps its end and says what went; a cell keeps its last outputs", () => {
  const limits = { streamChars: 100, outputs: 3 };
  let state = NO_OUTPUTS;
  for (let i = 0; i < 30; i++) state = applyBounded(state, stream(`line ${String(i).padStart(2, "0")}\n`), limits);
  const [only] = state.outputs;
  assert.equal(state.outputs.length, 1);
  assert.ok(only?.output_type === "stream");
  assert.ok(only.text.length <= 100 + 60, `${only.text.length} characters kept`);
  assert.match(only.text, /^\[… \d+ earlier characters were dropped by the server\]\n/);
  assert.ok(only.text.endsWith("line 28\nline 29\n"));

  for (let i = 0; i < 5; i++) state = applyBounded(state, shown(i), limits);
  assert.deepEqual(
    state.outputs.map((o) => (o.output_type === "display_data" ? o.data["text/plain"] : o.output_type)),
    ["2", "3", "4"],
  );
});

test("writes of one notebook go one at a time, what waited goes in one, and a cell's latest outputs replace those not written yet", async () => {
  const calls: string[] = [];
  let release: () => void = () => {};
  const blocked = new Promise<void>((r) => (release = r));
  const writes = new OutputWrites(async (path, cells) => {
    calls.push(`${path}:${cells.map((c) => `${c.cellId}=${c.outputs.length}/${c.executionCount}`).join(",")}`);
    if (calls.length === 1) await blocked;
  }, createLogger("test"));
  const out = (n: number): NbOutput[] => Array.from({ length: n }, () => ({ output_type: "stream", name: "stdout", text: "x" }));

  const first = writes.put("a.ipynb", "c1", out(1), 1);
  const second = writes.put("a.ipynb", "c1", out(2), 1);
  const third = writes.put("a.ipynb", "c1", out(3), 1);
  const other = writes.put("a.ipynb", "c2", out(1), 2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, ["a.ipynb:c1=1/1"], "the others wait for the write in flight");
  release();
  await Promise.all([first, second, third, other]);
  assert.deepEqual(calls, ["a.ipynb:c1=1/1", "a.ipynb:c1=3/1,c2=1/2"], "then in one write, where the second outputs of c1 gave way to the third");
});
