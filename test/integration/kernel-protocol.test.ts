/**
 * Protocol conformance through the real server and @jupyterlab/services, the client JupyterLab
 * uses: every shell/stdin/comm message of issue 3 and the bad-input cases a frontend can cause.
 * (Interrupt, restart, death and shutdown are in kernels.test.ts; the raw ZMQ side in test/kernel/.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KernelManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { serverSettings } from "../support/jupyter.ts";
import { execute, result, streamText, waitFor } from "../support/kernel-runs.ts";
import { startServer, type RunningServer } from "../support/server.ts";

describe("kernel protocol through @jupyterlab/services", () => {
  let server: RunningServer;
  let kernels: KernelManager;
  let kernel: Kernel.IKernelConnection;

  before(async () => {
    server = await startServer({ web: false });
    kernels = new KernelManager({ serverSettings: serverSettings(server) });
    kernel = await kernels.startNew({ name: "lightbook-ts" });
    await waitFor(async () => kernel.status === "idle", "an idle kernel");
  });
  after(async () => {
    kernels?.dispose();
    await server.dispose();
  });

  test("kernel_info: TypeScript language_info and help links", async () => {
    const info = (await kernel.requestKernelInfo())!.content;
    assert.equal(info.status, "ok");
    if (info.status !== "ok") return;
    assert.equal(info.protocol_version, "5.3");
    assert.equal(info.language_info.name, "typescript");
    assert.equal(info.language_info.file_extension, ".ts");
    assert.ok(info.help_links.length > 0);
  });

  test("execute: streams, execute_result, silent, user_expressions", async () => {
    const run = await execute(kernel, "const beam = { energy: 12.4 };\nconsole.log('hi');\nbeam.energy * 2");
    assert.equal(streamText(run), "hi\n");
    assert.equal(result(run), "24.8");
    const silent = kernel.requestExecute({ code: "console.log('quiet'); 1", silent: true });
    const silentOutputs: string[] = [];
    silent.onIOPub = (msg) => void (msg.header.msg_type !== "status" && silentOutputs.push(msg.header.msg_type));
    assert.equal((await silent.done).content.status, "ok");
    assert.deepEqual(silentOutputs, []);
    const withExpressions = await kernel.requestExecute({ code: "", user_expressions: { e: "beam.energy + 1" } }).done;
    const expressions = (withExpressions.content as KernelMessage.IExecuteReply).user_expressions as Record<
      string,
      { status: string; data: Record<string, string> }
    >;
    assert.deepEqual(expressions.e, { status: "ok", data: { "text/plain": "13.4" }, metadata: {} });
  });

  test("display_data and update_display_data with a display id", async () => {
    const run = await execute(kernel, "display('first', { id: 'd1' });\nupdate('d1', 'second');");
    const types = run.iopub.map((m) => m.header.msg_type);
    assert.ok(types.includes("display_data") && types.includes("update_display_data"), types.join());
    const update = run.iopub.find((m) => m.header.msg_type === "update_display_data") as KernelMessage.IUpdateDisplayDataMsg;
    assert.equal(update.content.transient.display_id, "d1");
  });

  test("errors: traceback at the cell line, syntax errors with line:column, non-Error throws", async () => {
    const thrown = await execute(kernel, "const a = 1;\nthrow new RangeError('bad');");
    const error = thrown.iopub.find((m) => m.header.msg_type === "error") as KernelMessage.IErrorMsg;
    assert.equal(error.content.ename, "RangeError");
    assert.match(error.content.traceback.join("\n"), /<cell-\d+>:2:/);
    const syntax = await execute(kernel, "const ok = 1;\nconst = 2;");
    const syntaxError = syntax.iopub.find((m) => m.header.msg_type === "error") as KernelMessage.IErrorMsg;
    assert.equal(syntaxError.content.ename, "SyntaxError");
    assert.match(syntaxError.content.evalue, /\(2:7\)$/);
    const nonError = await execute(kernel, "throw { code: 42 };");
    const nonErrorContent = (nonError.iopub.find((m) => m.header.msg_type === "error") as KernelMessage.IErrorMsg).content;
    assert.equal(nonErrorContent.evalue, "{ code: 42 }");
  });

  test("a promise rejected after its cell finished is reported and the kernel lives on", async () => {
    // Kept after its reply (disposeOnDone false): the rejection may come after reply and idle.
    const late = kernel.requestExecute({ code: "setTimeout(() => Promise.reject(new Error('late failure')), 20);\n'scheduled'" }, false);
    const texts: string[] = [];
    late.onIOPub = (msg) => void (msg.header.msg_type === "stream" && texts.push((msg.content as { text: string }).text));
    await late.done;
    await waitFor(async () => texts.join("").includes("late failure"), "the late rejection on stderr");
    late.dispose();
    assert.equal(result(await execute(kernel, "1 + 1")), "2");
  });

  test("stdin: input() answered through sendInputReply", async () => {
    const future = kernel.requestExecute({ code: "(await input('Sample? ')).toUpperCase()", allow_stdin: true });
    future.onStdin = (msg) => {
      if (msg.header.msg_type !== "input_request") return;
      assert.equal((msg.content as KernelMessage.IInputRequestMsg["content"]).prompt, "Sample? ");
      kernel.sendInputReply({ status: "ok", value: "lysozyme" }, msg.header as KernelMessage.IHeader<"input_request">);
    };
    const outputs: KernelMessage.IIOPubMessage[] = [];
    future.onIOPub = (msg) => void outputs.push(msg);
    assert.equal((await future.done).content.status, "ok");
    assert.equal(result({ reply: (await future.done).content, iopub: outputs }), "'LYSOZYME'");
  });

  test("stdin: another client on the kernel sees the prompt and answers it; the asker sees the answer", async () => {
    const other = kernels.connectTo({ model: kernel.model });
    try {
      await waitFor(async () => other.connectionStatus === "connected", "a second connection");
      const seenByOther = new Promise<KernelMessage.IInputRequestMsg>((resolve) =>
        other.anyMessage.connect(
          (_, { msg, direction }) => void (direction === "recv" && msg.header.msg_type === "input_request" && resolve(msg as KernelMessage.IInputRequestMsg)),
        ),
      );
      const answerSeenByAsker = new Promise<KernelMessage.IInputReplyMsg>((resolve) =>
        kernel.anyMessage.connect(
          (_, { msg, direction }) => void (direction === "recv" && msg.header.msg_type === "input_reply" && resolve(msg as KernelMessage.IInputReplyMsg)),
        ),
      );
      const future = kernel.requestExecute({ code: "(await input('Operator? ')).toUpperCase()", allow_stdin: true });
      let asked = 0;
      future.onStdin = () => void asked++;
      const prompt = await seenByOther;
      assert.equal(prompt.content.prompt, "Operator? ");
      other.sendInputReply({ status: "ok", value: "ada" }, prompt.header);
      const outputs: KernelMessage.IIOPubMessage[] = [];
      future.onIOPub = (msg) => void outputs.push(msg);
      const reply = await future.done;
      assert.equal(result({ reply: reply.content, iopub: outputs }), "'ADA'");
      const relayed = await answerSeenByAsker;
      assert.deepEqual([relayed.parent_header.msg_id, relayed.content], [prompt.header.msg_id, { status: "ok", value: "ada" }]);
      assert.equal(asked, 1, "the asker got its own prompt once");
    } finally {
      other.dispose();
    }
  });

  test("complete, inspect and is_complete from the language service", async () => {
    const completion = (await kernel.requestComplete({ code: "beam.en", cursor_pos: 7 })).content;
    assert.equal(completion.status, "ok");
    if (completion.status === "ok") assert.deepEqual([completion.matches, completion.cursor_start], [["energy"], 5]);
    const inspection = (await kernel.requestInspect({ code: "beam", cursor_pos: 2, detail_level: 0 })).content;
    assert.ok(inspection.status === "ok" && inspection.found);
    if (inspection.status === "ok") assert.match(String(inspection.data["text/plain"]), /energy: number/);
    assert.equal((await kernel.requestIsComplete({ code: "function f() {" })).content.status, "incomplete");
  });

  test("history: the tail of this session's cells", async () => {
    const reply = (await kernel.requestHistory({ hist_access_type: "tail", n: 1, output: false, raw: true })).content;
    assert.equal(reply.status, "ok");
    if (reply.status === "ok") assert.equal(reply.history.length, 1);
  });

  test("comms: frontend-opened and kernel-opened, messages both ways, comm_info, close", async () => {
    await execute(kernel, "comms.registerTarget('echo', (comm) => comm.onMsg((data) => comm.send({ echo: data })));");
    const comm = kernel.createComm("echo");
    const echoed = new Promise<unknown>((resolve) => (comm.onMsg = (msg) => resolve(msg.content.data)));
    await comm.open({}).done;
    await comm.send({ n: 1 }).done;
    assert.deepEqual(await echoed, { echo: { n: 1 } });
    const info = (await kernel.requestCommInfo({ target_name: "echo" })).content;
    assert.ok(info.status === "ok" && comm.commId in info.comms);
    await comm.close().done;

    const fromKernel = new Promise<unknown>((resolve) => kernel.registerCommTarget("view", (_comm, msg) => resolve(msg.content.data)));
    await execute(kernel, "comms.open('view', { value: 7 });");
    assert.deepEqual(await fromKernel, { value: 7 });
  });
});
