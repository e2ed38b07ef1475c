/**
 * Limits of one kernel: stream output past the per-cell cap is dropped with a visible note, and a
 * cell that exhausts the memory limit ends the process rather than the machine's memory.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isStreamMessage, type Message } from "../../kernel/protocol/messages.ts";
import { KernelUnderTest, resultText } from "./kernel-harness.ts";

const text = (iopub: Message[], name: "stdout" | "stderr") =>
  iopub
    .filter(isStreamMessage)
    .filter((m) => m.content.name === name)
    .map((m) => m.content.text)
    .join("");

/** Starts a kernel with `env` set in the kernelspec's and the process's environment. */
async function startWith(env: Record<string, string>): Promise<KernelUnderTest> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await KernelUnderTest.start();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("output limit", () => {
  let kernel: KernelUnderTest;
  before(async () => {
    kernel = await startWith({ LIGHTBOOK_KERNEL_OUTPUT_LIMIT: "5000" });
  });
  after(async () => {
    await kernel.stop();
  });

  it("truncates a million printed lines with a note, and the next cell prints again", async () => {
    const { reply, iopub } = await kernel.execute("for (let i = 0; i < 1_000_000; i++) console.log(i);");
    assert.equal(reply.content.status, "ok");
    const stdout = text(iopub, "stdout");
    assert.equal(stdout.length, 5000);
    assert.ok(stdout.startsWith("0\n1\n2\n"));
    assert.match(text(iopub, "stderr"), /\[output truncated: 6,88\d,\d{3} more characters past the limit of 5,000 per cell/);
    const next = await kernel.execute('console.log("fresh"); 1');
    assert.equal(text(next.iopub, "stdout"), "fresh\n");
    assert.equal(resultText(next.iopub), "1");
  });
});

describe("memory limit", () => {
  // Above the kernel's own resident memory (its language service included), which the limit also counts.
  const LIMIT_MB = "512";

  /** Runs `code` in a kernel with the limit, and resolves with how the process ended. */
  async function exhaust(code: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    const kernel = await startWith({ LIGHTBOOK_KERNEL_MEMORY_MB: LIMIT_MB });
    try {
      void kernel.execute(code).catch(() => undefined);
      return { ...(await kernel.exited), stderr: kernel.stderr };
    } finally {
      await kernel.stop();
    }
  }

  it("ends the kernel process when a cell exhausts it in the JavaScript heap", async () => {
    const ended = await exhaust("const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(1_000_000).fill(1.5));");
    assert.ok(ended.code !== 0 || ended.signal !== null, `exit ${ended.code} ${ended.signal}`);
    // V8 gives up on the heap, or the watchdog sees the process grow past the limit first.
    assert.match(ended.stderr, /heap|memory limit exceeded/i);
  });

  it("ends the kernel process when a cell exhausts it outside the heap (Buffer.alloc)", async () => {
    const ended = await exhaust("const buffers: Buffer[] = [];\nwhile (true) buffers.push(Buffer.alloc(64 * 2 ** 20, 1));");
    assert.equal(ended.signal, "SIGKILL");
    assert.match(ended.stderr, new RegExp(`memory limit exceeded: resident \\d+ MiB > ${LIMIT_MB} MiB \\(LIGHTBOOK_KERNEL_MEMORY_MB\\)`));
  });
});
