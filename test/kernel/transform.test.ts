import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCell } from "../../kernel/handler/evaluate.ts";
import { CellSources, errorContent } from "../../kernel/handler/traceback.ts";
import { CellSyntaxError, transformCell } from "../../kernel/handler/transform.ts";

// Cells run in this process's global scope, as in the kernel; names are prefixed to stay apart.
const sources = new CellSources();
let cellNumber = 0;
const never = new AbortController().signal;

async function run(code: string): Promise<unknown> {
  const completion = await evaluateCell(code, `<cell-${++cellNumber}>`, sources, never);
  return completion?.value;
}

const global = globalThis as Record<string, unknown>;

describe("transformCell", () => {
  it("keeps every cell line on its own line number", () => {
    const cell = 'import { join } from "node:path";\nconst a: number = 1;\ntype T = string;\nclass C {}\na';
    const lines = transformCell(cell).script.split("\n");
    assert.equal(lines.length, 6); // five cell lines and the closing line
    assert.match(lines[1] ?? "", /a = 1/);
    assert.match(lines[3] ?? "", /C = class C/);
    assert.match(lines[4] ?? "", /return \{ value: \(a\) \}/);
  });

  it("lists imports in statement order", () => {
    const cell = 'import x from "pkg-a";\nimport * as b from "./b.ts";\nimport type { T } from "types";\nimport "side";';
    assert.deepEqual(transformCell(cell).imports, ["pkg-a", "./b.ts", "side"]);
  });

  it("reports syntax errors at the cell line and 1-based column", () => {
    assert.throws(
      () => transformCell("const ok = 1;\nconst broken = ;"),
      (e: unknown) => e instanceof CellSyntaxError && e.line === 2 && e.column === 16 && !e.atEndOfInput,
    );
    assert.throws(
      () => transformCell("function f() {\n"),
      (e: unknown) => e instanceof CellSyntaxError && e.atEndOfInput,
    );
  });

  it("rejects export forms that declare nothing", () => {
    assert.throws(() => transformCell("const a = 1;\nexport { a };"), /this export form is not supported in a cell/);
  });
});

describe("evaluating transformed cells", () => {
  it("runs awaits in every position through the interrupt check, the cell's own only, and keeps their values", async () => {
    const cell =
      "const tAwaited = await Promise.resolve(2);\nlet tSum = 0;\nfor await (const x of [Promise.resolve(1), 3]) tSum += x;\nasync function tLater() { return await Promise.resolve(4); }\nawait await tLater() + tAwaited + tSum";
    const { script } = transformCell(cell);
    assert.equal(script.match(/__lightbookResumed\(/g)?.length, 4, "three awaits and the for-await body; none inside tLater");
    assert.match(script, /async function tLater\(\) \{ return await Promise/);
    assert.equal(await run(cell), 10);
    const stopped = new AbortController();
    const interrupted = evaluateCell("await null;\nglobalThis.tRanOn = true;", `<cell-${++cellNumber}>`, sources, stopped.signal);
    stopped.abort(new Error("interrupted while awaiting"));
    await assert.rejects(interrupted, /interrupted while awaiting/);
    assert.equal(global.tRanOn, undefined);
  });

  it("returns the value of the last expression statement, and nothing after a declaration", async () => {
    assert.equal(await run("const tf1: number = 20;\ntf1 + 1"), 21);
    assert.equal(await run("const tf2 = 1;"), undefined);
    assert.deepEqual(await run("({ a: 1 })"), { a: 1 });
    // A promise is the value itself, not awaited away.
    const completion = await evaluateCell("Promise.resolve(3)", `<cell-${++cellNumber}>`, sources, never);
    assert.ok(completion?.value instanceof Promise);
  });

  it("keeps top-level const/let/var/function/class for later cells", async () => {
    await run(
      [
        "const tfConst = 1;",
        "let tfLet = 2;",
        "var tfVar = 3;",
        "const { tfA, tfB: [tfC] } = { tfA: 4, tfB: [5] };",
        "function tfFn(x: number) { return x * 10; }",
        "class TfClass { value = 6 }",
      ].join("\n"),
    );
    assert.equal(await run("tfConst + tfLet + tfVar + tfA + tfC"), 15);
    assert.equal(await run("tfFn(2) + new TfClass().value"), 26);
    assert.equal(global.tfConst, 1);
  });

  it("lets a re-run cell declare the same names again", async () => {
    const cell = "const tfRe = Math.random();\nlet tfReLet;\nclass TfRe {}\nfunction tfReFn() {}";
    await run(cell);
    const first = global.tfRe;
    await run("tfReLet = 5");
    await run(cell);
    assert.notEqual(global.tfRe, first);
    assert.equal(global.tfReLet, undefined);
  });

  it("hoists function declarations within the cell", async () => {
    await run('const tfHoistedValue = tfHoisted();\nfunction tfHoisted() { return "up" }');
    assert.equal(global.tfHoistedValue, "up");
  });

  it("supports top-level await", async () => {
    assert.equal(await run("const tfAwaited = await new Promise((r) => setTimeout(() => r(7), 5));\ntfAwaited * 2"), 14);
  });

  it("imports default, named and namespace bindings, resolved from the working directory", async () => {
    await run(
      [
        'import { join as tfJoin } from "node:path";',
        'import * as tfAcorn from "acorn";',
        'import tfDouble, { greeting as tfGreeting } from "./test/kernel/fixtures/local-module.ts";',
      ].join("\n"),
    );
    assert.equal(await run('tfJoin("a", "b")'), "a/b");
    assert.equal(await run("typeof tfAcorn.parse"), "function");
    assert.equal(await run("tfDouble(21)"), 42);
    assert.equal(await run("tfGreeting"), "hello from a local module");
  });

  it("shares the realm: arrays and errors from cells pass instanceof", async () => {
    assert.ok((await run("[1, 2]")) instanceof Array);
    assert.ok((await run('new Error("x")')) instanceof Error);
  });

  it("points tracebacks at the cell line, line 1 columns included", async () => {
    const filename = `<cell-${cellNumber + 1}>`;
    await assert.rejects(run('const tfOk = 1;\n\nthrow new RangeError("third line");'), (e: unknown) => {
      const { ename, evalue, traceback } = errorContent(e, sources, filename);
      assert.equal(ename, "RangeError");
      assert.equal(evalue, "third line");
      assert.ok(
        traceback.some((line) => line.includes(`${filename}:3:7`)),
        traceback.join("\n"),
      );
      assert.ok(!traceback.some((line) => line.includes("evaluate.ts")), "kernel frames are hidden");
      // The header once, its name in ANSI bold red as IPython prints it; front ends render the colour.
      assert.equal(
        traceback.filter((line) => line.includes("RangeError") && !line.includes("throw")).join("\n"),
        "\u001b[1;31mRangeError\u001b[0m: third line",
      );
      return true;
    });
    const firstLine = `<cell-${cellNumber + 1}>`;
    await assert.rejects(run("null.x"), (e: unknown) => {
      const { traceback } = errorContent(e, sources, firstLine);
      assert.equal(traceback[0], `${firstLine}:1:6`);
      return true;
    });
    // Type annotations sucrase removed earlier on the line do not move the column.
    const typedLine = `<cell-${cellNumber + 1}>`;
    await assert.rejects(run('const tfT: string = "a"; (null as any).x'), (e: unknown) => {
      const { traceback } = errorContent(e, sources, typedLine);
      assert.deepEqual(traceback.slice(0, 3), [`${typedLine}:1:40`, 'const tfT: string = "a"; (null as any).x', `${" ".repeat(39)}^`]);
      return true;
    });
  });
});
