/**
 * Completion, inspection and type errors from the TypeScript language service over the session:
 * the service itself (cells as script files), and the real kernel answering over ZMQ.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { SessionLanguageService } from "../../kernel/language/session-service.ts";
import { isCompleteReply, isErrorMessage, isInspectReply, isStreamMessage, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { waitUntil } from "../support/processes.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

const FIXTURE = "./test/kernel/fixtures/documented.ts";
const stderr = (iopub: Message[]) =>
  iopub
    .filter(isStreamMessage)
    .filter((m) => m.content.name === "stderr")
    .map((m) => m.content.text)
    .join("");

describe("SessionLanguageService", () => {
  const service = new SessionLanguageService(process.cwd());

  it("completes members of an object declared in an earlier cell", () => {
    service.commit("const scan = { energy: 12.4, exposure: 0.1, frames: [1, 2] };");
    const code = "scan.ex";
    assert.deepEqual(service.complete(code, code.length).matches, ["exposure"]);
    assert.equal(service.complete(code, code.length).cursor_start, 5);
  });

  it("follows a name redeclared by a later cell (a re-run cell) to its newest type", () => {
    service.commit('const scan = "now a string";');
    assert.ok(service.complete("scan.toUpp", 10).matches.includes("toUpperCase"));
    assert.deepEqual(service.check("scan.toUpperCase()"), []);
    assert.deepEqual(service.check("const scan = 3; scan.toFixed(1)"), []);
  });

  it("shows the signature and doc comment of an imported function", () => {
    const code = `import { radialMean } from '${FIXTURE}';\nradialMean`;
    const result = service.inspect(code, code.length);
    assert.equal(result.found, true);
    const text = String(result.data["text/plain"]);
    assert.match(text, /radialMean: \(frame: Float32Array, center: \[number, number\]\) => Float64Array/);
    assert.match(text, /Azimuthal mean of a detector frame/);
    assert.match(text, /@returns one mean per radial bin/);
  });

  it("shows the signature of the function whose arguments are being typed (after `Math.max(` or a comma)", () => {
    for (const code of ["Math.max(", "Math.max(1, "]) {
      const result = service.inspect(code, code.length);
      assert.equal(result.found, true, code);
      assert.match(String(result.data["text/plain"]), /max\(\.\.\.values: number\[\]\): number/, code);
    }
    service.commit("function energy(wavelengthA: number, order = 1): number { return (12.398 / wavelengthA) * order; }");
    const code = "energy(1.2, ";
    assert.match(String(service.inspect(code, code.length).data["text/plain"]), /energy\(wavelengthA: number, order\?: number\): number/);
    assert.equal(service.inspect("1 + ", 4).found, false, "outside a call there is nothing to show");
  });

  it("reports type errors at their cell line and column, and accepts top-level await", () => {
    const diagnostics = service.check("const a = await Promise.resolve(1);\nconst b: string = a;");
    assert.deepEqual(
      diagnostics.map(({ line, column, code }) => ({ line, column, code })),
      [{ line: 2, column: 7, code: 2322 }],
    );
  });

  it("lets a cell declare a name the kernel also gives cells (its own `frames`)", () => {
    service.commit("const frames = [[1, 2], [3, 4]];");
    assert.deepEqual(service.check("frames.length + frames[0]!.length"), []);
    assert.ok(service.complete("frames.fla", 10).matches.includes("flat"));
  });

  it("knows the kernel globals", () => {
    assert.deepEqual(service.check('display.markdown("# hi"); update("x", 1); clearOutput({ wait: true }); comms.open("t"); input("?"); workflow.frames;'), []);
    assert.ok(service.complete("display.ma", 10).matches.includes("markdown"));
  });

  it("holds each name's newest cell once however often a notebook is run again, and keeps its types", () => {
    const session = new SessionLanguageService(process.cwd());
    const notebook = [
      "const energy = 12.4;",
      "const frames = [energy, energy * 2];",
      "function mean(xs: number[]) { return xs.reduce((a, b) => a + b, 0) / xs.length; }",
      "declare namespace beam { const line: string }",
    ];
    for (let run = 0; run < 20; run++) for (const cell of notebook) session.commit(cell);
    assert.equal(session.cellsHeld, notebook.length);
    assert.deepEqual(session.check("const m: number = mean(frames); beam.line.toUpperCase();"), []);
    assert.deepEqual(
      session.check("const s: string = mean(frames);").map((d) => d.code),
      [2322],
    );
  });

  it("finds a package installed after a check remembered it missing, once a cell imports it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lightbook-language-"));
    try {
      const session = new SessionLanguageService(dir);
      await mkdir(path.join(dir, "node_modules"));
      // Not installed: the import fails when the cell runs; the check says nothing of it (its type is any).
      assert.deepEqual(session.check('import { gain } from "detector-gain";\nconst g: number = gain;'), []);
      await mkdir(path.join(dir, "node_modules", "detector-gain"));
      await writeFile(path.join(dir, "node_modules", "detector-gain", "package.json"), JSON.stringify({ name: "detector-gain", types: "index.d.ts" }));
      await writeFile(path.join(dir, "node_modules", "detector-gain", "index.d.ts"), "export declare const gain: string;");
      // The installed types are read: a string is no number.
      const found = session.check('import { gain } from "detector-gain";\nconst g: number = gain; g');
      assert.deepEqual(
        found.map(({ line, code }) => ({ line, code })),
        [{ line: 2, code: 2322 }],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("language service in the kernel", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start();
  });
  after(async () => {
    await kernel.stop();
  });

  const request = async (msg_type: "complete_request" | "inspect_request", code: string, cursor_pos = [...code].length) => {
    const content = { code, cursor_pos, detail_level: 0 as const };
    return (await kernel.request(makeMessage(msg_type, content, { session: kernel.client.session, channel: "shell" }))).reply;
  };

  it("completes members of objects defined in earlier cells, with code point cursors", async () => {
    await kernel.execute('const beam = { wavelength: 1.0332, width: 0.02, ["é"]: 1 };');
    const reply = await request("complete_request", "/* é */ beam.wi");
    assert.ok(isCompleteReply(reply) && reply.content.status === "ok");
    if (reply.content.status !== "ok") return;
    assert.deepEqual(reply.content.matches, ["width"]);
    assert.deepEqual([reply.content.cursor_start, reply.content.cursor_end], [13, 15]);
  });

  it("inspects an imported documented function", async () => {
    await kernel.execute(`import { radialMean } from '${FIXTURE}';`);
    const reply = await request("inspect_request", "radialMean(", 5);
    assert.ok(isInspectReply(reply) && reply.content.status === "ok");
    if (reply.content.status !== "ok") return;
    assert.equal(reply.content.found, true);
    assert.match(String(reply.content.data["text/markdown"]), /```typescript\n.*radialMean.*\n```\n\nAzimuthal mean/);
  });

  /** The stderr note on type errors of the cell `request` sends, whether it comes before or after the cell's idle. */
  const typeErrorNote = (): Promise<Message<"stream">> =>
    kernel.nextMessage((m): m is Message<"stream"> => isStreamMessage(m) && m.content.text.startsWith("TypeScript:"));

  it("runs a cell with a type error and reports the error on stderr, under the cell", async () => {
    const note = typeErrorNote();
    const { reply, iopub } = await kernel.execute('const label: number = "not a number";\nString(label).length');
    assert.equal(reply.content.status, "ok");
    assert.equal(resultText(iopub), "12");
    const { content, parent_header } = await note;
    assert.equal(parent_header.msg_id, reply.parent_header.msg_id);
    assert.equal(content.name, "stderr");
    assert.match(content.text, /TypeScript: 1 type error/);
    assert.match(content.text, /<cell-\d+>:1:7 - error TS2322: Type 'string' is not assignable to type 'number'/);
  });

  it("answers a cell before its type check is done, and sends the errors later under the cell", async () => {
    // A fresh kernel's language service takes seconds to load, its first cell milliseconds to run.
    const fresh = await KernelUnderTest.start();
    try {
      const note = fresh.nextMessage((m): m is Message<"stream"> => isStreamMessage(m) && m.content.text.startsWith("TypeScript:"), 60_000);
      const { reply, iopub } = await fresh.execute('const late: string = 1;\n"ran"');
      assert.equal(resultText(iopub), "'ran'");
      assert.equal(stderr(iopub), "", "nothing of the check before idle");
      const { content, parent_header } = await note;
      assert.equal(parent_header.msg_id, reply.parent_header.msg_id);
      assert.match(content.text, /<cell-1>:1:7 - error TS2322: Type 'number' is not assignable to type 'string'/);
    } finally {
      await fresh.stop();
    }
  });

  it("does not run a %%strict cell with type errors", async () => {
    await kernel.execute("let ran = false;");
    const { reply, iopub } = await kernel.execute('%%strict\nran = true;\nconst n: number = "x";');
    assert.equal(reply.content.status, "error");
    const error = iopub.find(isErrorMessage);
    assert.equal(error?.content.ename, "TypeScriptError");
    assert.match(error?.content.evalue ?? "", /\(3:7\)$/);
    assert.equal(resultText((await kernel.execute("ran")).iopub), "false");
    const isComplete = await kernel.request(
      makeMessage("is_complete_request", { code: "%%strict\nran" }, { session: kernel.client.session, channel: "shell" }),
    );
    assert.deepEqual(isComplete.reply.content, { status: "complete" });
    const ok = await kernel.execute("%%strict\nran = true;\nran");
    assert.equal(resultText(ok.iopub), "true");
    assert.equal(stderr(ok.iopub), "");
  });

  it("rejects an unknown cell magic", async () => {
    const { iopub } = await kernel.execute("%%nonsense\n1");
    assert.equal(iopub.find(isErrorMessage)?.content.ename, "UsageError");
  });
});

describe("the kernel's language service after an idle pause", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await KernelUnderTest.start({ LIGHTBOOK_KERNEL_LANGUAGE_IDLE_MS: "300" });
  });
  after(async () => {
    await kernel.stop();
  });

  const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${kernel.proc.pid}/status`, "utf8"))?.[1]);

  it("stops its worker when idle, and a new one knows every cell run before", async () => {
    await kernel.execute("const idleScan = { exposure: 0.1, energy: 12.4 };");
    const complete = async (code: string) => {
      const { reply } = await kernel.request(
        makeMessage("complete_request", { code, cursor_pos: code.length }, { session: kernel.client.session, channel: "shell" }),
      );
      assert.ok(isCompleteReply(reply) && reply.content.status === "ok");
      return reply.content.status === "ok" ? reply.content.matches : [];
    };
    assert.deepEqual(await complete("idleScan.ex"), ["exposure"]);
    const busy = threads();
    await waitUntil("the language worker stopped (the kernel has fewer threads)", () => threads() < busy);
    assert.deepEqual(await complete("idleScan.en"), ["energy"], "declared before the pause");
    assert.ok(threads() >= busy, "a worker runs again");
  });
});
