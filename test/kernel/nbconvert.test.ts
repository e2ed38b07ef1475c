/**
 * Outside Lightbook: the kernelspec installed into a prefix, and a notebook executed headless by
 * Debian's jupyter-nbconvert (nbclient), with the same outputs as the kernel gives over ZMQ.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { KERNEL_NAME } from "../../kernel/kernelspec/spec.ts";
import type { Message } from "../../kernel/protocol/messages.ts";
import { KernelUnderTest } from "./kernel-harness.ts";

const run = promisify(execFile);

const CELLS = [
  'const energy: number = 12.4;\nconsole.log("energy", energy);',
  "energy * 2",
  'display.markdown("**bold**");\ndisplay({ "text/html": "<i>x</i>", "text/plain": "x" });',
  "const wrong: string = 1;\nwrong",
  // A live plot's way of replacing its output: only "second" stays.
  'console.log("first");\nclearOutput({ wait: true });\nconsole.log("second");',
];

type Output = Record<string, unknown>;

/** iopub messages as nbformat outputs, the way nbclient records them. */
function toOutputs(iopub: Message[]): Output[] {
  let outputs: Output[] = [];
  let clearBeforeNext = false;
  for (const { header, content } of iopub) {
    if (header.msg_type === "clear_output" && "wait" in content) {
      if (content.wait) clearBeforeNext = true;
      else outputs = [];
      continue;
    }
    if (clearBeforeNext && ["stream", "display_data", "execute_result"].includes(header.msg_type)) {
      outputs = [];
      clearBeforeNext = false;
    }
    if (header.msg_type === "stream" && "name" in content && "text" in content) {
      const last = outputs.at(-1);
      if (last?.output_type === "stream" && last.name === content.name) last.text = String(last.text) + content.text;
      else outputs.push({ output_type: "stream", name: content.name, text: content.text });
    } else if ((header.msg_type === "display_data" || header.msg_type === "execute_result") && "data" in content) {
      outputs.push({ output_type: header.msg_type, data: content.data });
    }
  }
  return outputs;
}

/**
 * nbformat joins multiline strings from lists, and execution counts differ between runs. A type
 * error's note comes before or after the cell's idle, depending on whether the check was done
 * before the cell (kernel/README.md, Types), and clients stop listening at idle: so notes are left out.
 */
function normalize(outputs: Output[]): Output[] {
  const text = (v: unknown) => (Array.isArray(v) ? v.join("") : v);
  const typeNote = (o: Output) => o.output_type === "stream" && String(text(o.text)).startsWith("TypeScript:");
  return outputs
    .filter((o) => !typeNote(o))
    .map(({ output_type, name, text: t, data }) =>
      output_type === "stream"
        ? { output_type, name, text: text(t) }
        : { output_type, data: Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, text(v)])) },
    );
}

describe("the kernelspec under a real Jupyter client", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lightbook-nbconvert-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("installs into a prefix where jupyter finds it", async () => {
    await run(process.execPath, ["--import", "tsx", "kernel/kernelspec/install.ts", "--prefix", dir]);
    const list = "import json; from jupyter_client.kernelspec import KernelSpecManager; print(json.dumps(KernelSpecManager().get_all_specs()))";
    const { stdout } = await run("/usr/bin/python3", ["-c", list], { env: { ...process.env, JUPYTER_PATH: join(dir, "share", "jupyter") } });
    const specs = JSON.parse(stdout) as Record<string, { spec: { language: string } }>;
    assert.equal(specs[KERNEL_NAME]?.spec.language, "typescript");
  });

  it("executes a notebook with nbconvert --execute, with the outputs the kernel gives over ZMQ", async () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: KERNEL_NAME, display_name: "TypeScript (Lightbook)", language: "typescript" } },
      cells: CELLS.map((source, i) => ({ id: `c${i}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
    };
    await writeFile(join(dir, "in.ipynb"), JSON.stringify(notebook));
    await run("/usr/bin/jupyter-nbconvert", ["--to", "notebook", "--execute", "--output", "out.ipynb", join(dir, "in.ipynb")], {
      cwd: dir,
      env: { ...process.env, JUPYTER_PATH: join(dir, "share", "jupyter") },
    });
    const executed = JSON.parse(await readFile(join(dir, "out.ipynb"), "utf8")) as { cells: { outputs: Output[]; execution_count: number }[] };
    assert.deepEqual(
      executed.cells.map((c) => c.execution_count),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      normalize(executed.cells[4]?.outputs ?? []),
      [{ output_type: "stream", name: "stdout", text: "second\n" }],
      "clear_output(wait) as nbclient applies it",
    );

    const kernel = await KernelUnderTest.start();
    try {
      for (const [i, code] of CELLS.entries()) {
        const { iopub } = await kernel.execute(code);
        assert.deepEqual(normalize(executed.cells[i]?.outputs ?? []), normalize(toOutputs(iopub)), `cell ${i}`);
      }
    } finally {
      await kernel.stop();
    }
    // The cell with a type error ran as JavaScript. Its note reaches the notebook only if the check
    // was done before the cell's idle, which nbclient waits for and no longer (kernel/README.md, Types).
    const ran = executed.cells[3]?.outputs.find((o) => o.output_type === "execute_result");
    assert.deepEqual(normalize(ran ? [ran] : []), [{ output_type: "execute_result", data: { "text/plain": "1" } }]);
    const typeNote = executed.cells[3]?.outputs.find((o) => o.name === "stderr");
    if (typeNote) assert.match(String(Array.isArray(typeNote.text) ? typeNote.text.join("") : typeNote.text), /TS2322/);
  });
});
