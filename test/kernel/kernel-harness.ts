/**
 * Starts the real kernel process from its kernelspec argv and drives it with ZmqKernelClient.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZmqKernelClient } from "../../kernel/client/zmq-client.ts";
import { kernelJson } from "../../kernel/kernelspec/spec.ts";
import { allocateConnection, writeConnectionFile, type ConnectionInfo } from "../../kernel/protocol/connection.ts";
import { isExecuteReply, isExecuteResultMessage, isStatusMessage, type ExecuteRequest, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";

// Generous: the machine running the tests may be loaded, and the first completion waits for the language service to load.
const REQUEST_TIMEOUT_MS = 30_000;

export interface Exchange {
  reply: Message;
  /** iopub messages whose parent is the request, from busy to idle. */
  iopub: Message[];
}

export class KernelUnderTest {
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly conn: ConnectionInfo,
    readonly proc: ChildProcess,
    readonly client: ZmqKernelClient,
    private readonly dir: string,
  ) {
    this.exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
    proc.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** `env` is added to the kernelspec's. */
  static async start(env: Record<string, string> = {}): Promise<KernelUnderTest> {
    const dir = await mkdtemp(join(tmpdir(), "lightbook-kernel-"));
    const conn = await allocateConnection("127.0.0.1");
    const connectionFile = join(dir, "kernel.json");
    await writeConnectionFile(connectionFile, conn);
    const spec = kernelJson();
    const [command, ...args] = spec.argv.map((arg) => arg.replace("{connection_file}", connectionFile));
    if (!command) throw new Error("kernelspec argv is empty");
    // Started in the repository, so cells can import the project's packages; with the kernelspec's env, as Jupyter does.
    const proc = spawn(command, args, { cwd: process.cwd(), env: { ...process.env, ...spec.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const client = new ZmqKernelClient(conn);
    const kernel = new KernelUnderTest(conn, proc, client, dir);
    await client.connect();
    await client.waitForReady(REQUEST_TIMEOUT_MS);
    return kernel;
  }

  /** The next message matching `predicate`; call it before causing the message, or it may be missed. */
  nextMessage<T extends Message>(predicate: (m: Message) => m is T, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no matching message within ${timeoutMs} ms; stderr:\n${this.stderr}`));
      }, timeoutMs).unref();
      const unsubscribe = this.client.onMessage((m) => {
        if (!predicate(m)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(m);
      });
    });
  }

  /** Resolves once the kernel's stderr (its log) matches `pattern`. */
  stderrMatching(pattern: RegExp, timeoutMs = REQUEST_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.proc.stderr?.off("data", check);
        reject(new Error(`stderr did not match ${pattern} within ${timeoutMs} ms:\n${this.stderr}`));
      }, timeoutMs).unref();
      const check = () => {
        if (!pattern.test(this.stderr)) return;
        clearTimeout(timer);
        this.proc.stderr?.off("data", check);
        resolve();
      };
      // After the constructor's listener, so this.stderr already holds the chunk.
      this.proc.stderr?.on("data", check);
      check();
    });
  }

  /** Sends a request and resolves with its reply once the kernel has published idle for it. */
  request(msg: Message): Promise<Exchange> {
    return this.#exchange(msg, true) as Promise<Exchange>;
  }

  /** Sends a message that has no reply (comm_msg, …) and resolves with its iopub messages up to idle. */
  async notify(msg: Message): Promise<{ iopub: Message[] }> {
    return { iopub: (await this.#exchange(msg, false)).iopub };
  }

  #exchange(msg: Message, expectReply: boolean): Promise<{ reply?: Message; iopub: Message[] }> {
    return new Promise((resolve, reject) => {
      const iopub: Message[] = [];
      let reply: Message | undefined;
      let idle = false;
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no reply/idle for ${msg.header.msg_type} within ${REQUEST_TIMEOUT_MS} ms; stderr:\n${this.stderr}`));
      }, REQUEST_TIMEOUT_MS).unref(); // a request left unanswered on purpose must not hold the test process
      const unsubscribe = this.client.onMessage((m) => {
        if (m.parent_header.msg_id !== msg.header.msg_id) return;
        if (m.channel === "iopub") iopub.push(m);
        // input_request on stdin also names the request as parent; the reply comes on its channel.
        else if (m.channel === msg.channel) reply = m;
        if (isStatusMessage(m) && m.content.execution_state === "idle") idle = true;
        if ((reply || !expectReply) && idle) {
          clearTimeout(timer);
          unsubscribe();
          resolve({ reply, iopub });
        }
      });
      this.client.send(msg).catch(reject);
    });
  }

  async execute(code: string, options: Partial<ExecuteRequest> = {}): Promise<Exchange & { reply: Message<"execute_reply"> }> {
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...options };
    const request = makeMessage("execute_request", content, { session: this.client.session, channel: "shell" });
    const { reply, iopub } = await this.request(request);
    if (!isExecuteReply(reply)) throw new Error(`expected execute_reply, got ${reply.header.msg_type}`);
    return { reply, iopub };
  }

  /** Kills the process if it still runs, and removes the connection file. */
  async stop(): Promise<void> {
    await this.client.close();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGKILL");
      await this.exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The text/plain of the execute_result among iopub messages, if any. */
export function resultText(iopub: Message[]): unknown {
  return iopub.find(isExecuteResultMessage)?.content.data["text/plain"];
}
