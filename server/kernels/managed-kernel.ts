import { randomUUID } from "node:crypto";
import type { Message } from "../../kernel/protocol/messages.ts";
import type { ConnectionInfo } from "../../kernel/protocol/connection.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { ZmqKernelClient } from "../../kernel/client/zmq-client.ts";
import { coerceError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ExecutionState, KernelModel } from "./model.ts";
import { spawnKernel, type KernelProcess } from "./process.ts";

export interface KernelLaunch {
  argv: readonly string[];
  /** The kernelspec's: how the kernel wants interrupts (as jupyter_client's KernelManager reads it). */
  interruptMode: "signal" | "message";
  connectionFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class KernelStartError extends Error {}

const READY_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 5_000;

type Listener = (msg: Message) => void;

/**
 * One kernel process and the server's one ZMQ connection to it. Every WebSocket attached to
 * the kernel shares this connection: iopub goes to all of them, replies on shell, control and
 * stdin go back to the client whose session sent the request (as Jupyter Server 2 routes).
 */
export class ManagedKernel {
  state: ExecutionState = "starting";
  lastActivity = new Date();
  private process: KernelProcess | undefined;
  private client: ZmqKernelClient | undefined;
  private readonly iopubListeners = new Set<Listener>();
  /** The server's own recorders of iopub (the output journal): not client connections. */
  private readonly observers = new Set<Listener>();
  private readonly replyListeners = new Map<string, Listener>();
  /** Every client's view of stdin (prompts and answers), so any tab on the kernel can answer an `input()`. */
  private readonly stdinWatchers = new Set<Listener>();
  private readonly stateListeners = new Set<(s: ExecutionState) => void>();
  /** Set while the server itself stops or restarts the process, so its exit is not a death. */
  private expectingExit = false;
  /** The session id of the server's own requests (nudges, shutdown). */
  private readonly session = randomUUID();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly connection: ConnectionInfo,
    private readonly launch: KernelLaunch,
    private readonly log: Logger,
  ) {}

  get connections(): number {
    return this.iopubListeners.size;
  }

  model(): KernelModel {
    return { id: this.id, name: this.name, last_activity: this.lastActivity.toISOString(), execution_state: this.state, connections: this.connections };
  }

  async start(): Promise<void> {
    this.expectingExit = false;
    this.setState("starting");
    const proc = spawnKernel(this.launch.argv, this.launch.connectionFile, this.launch.env, this.launch.cwd, (line) =>
      this.log.debug({ kernel: this.id, stderr: line }),
    );
    this.process = proc;
    proc.exited.then(({ code, signal }) => this.onExit(proc, code, signal));
    const client = new ZmqKernelClient(this.connection, { session: this.session });
    this.client = client;
    await client.connect();
    client.onMessage((msg) => this.onKernelMessage(msg));
    await this.waitReady(proc);
  }

  /** Ready once the kernel answers on shell and iopub flows; a start that exits or hangs fails clearly. */
  private async waitReady(proc: KernelProcess): Promise<void> {
    try {
      await Promise.race([
        this.client!.waitForReady(READY_TIMEOUT_MS),
        proc.exited.then(() => {
          throw new KernelStartError(`kernel ${this.name} exited while starting${this.stderrNote(proc)}`);
        }),
      ]);
    } catch (e: unknown) {
      await this.kill();
      if (e instanceof KernelStartError) throw e;
      throw new KernelStartError(`kernel ${this.name} did not start: ${coerceError(e).message}${this.stderrNote(proc)}`);
    }
    this.setState("idle");
  }

  private stderrNote(proc: KernelProcess): string {
    const tail = proc.stderrTail();
    return tail ? `:\n${tail}` : "";
  }

  private onKernelMessage(msg: Message): void {
    this.lastActivity = new Date();
    if (msg.channel === "iopub") {
      if (msg.header.msg_type === "status") {
        const s = (msg.content as { execution_state?: string }).execution_state;
        if (s === "busy" || s === "idle" || s === "starting") this.setState(s);
      }
      for (const l of this.observers) l(msg);
      for (const l of this.iopubListeners) l(msg);
      return;
    }
    if (msg.channel === "stdin" && msg.header.msg_type === "input_request") for (const l of this.stdinWatchers) l(msg);
    const session = "session" in msg.parent_header ? msg.parent_header.session : undefined;
    if (session !== undefined) this.replyListeners.get(session)?.(msg);
  }

  private onExit(proc: KernelProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (proc !== this.process) return;
    if (this.expectingExit) return;
    this.log.warn({ kernel: this.id, code, signal }, "kernel process died");
    this.setState("dead");
    this.broadcastStatus("dead");
  }

  private setState(s: ExecutionState): void {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  /** Tells attached clients about a state the kernel itself cannot announce. */
  private broadcastStatus(execution_state: "dead"): void {
    const msg = makeMessage("status", { execution_state }, { session: this.session, channel: "iopub" });
    for (const l of this.observers) l(msg);
    for (const l of this.iopubListeners) l(msg);
  }

  /** Every iopub message, and the statuses the server announces on the kernel's behalf. */
  subscribe(listener: Listener): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  /** Like subscribe, for the server's own use; not counted in `connections`. */
  observe(listener: Listener): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  /** Whether a client that sent requests with this session id is still attached. */
  attached(session: string): boolean {
    return this.replyListeners.has(session);
  }

  /** Replies on shell, control and stdin to requests sent with this session id. */
  route(session: string, listener: Listener): () => void {
    this.replyListeners.set(session, listener);
    return () => {
      if (this.replyListeners.get(session) === listener) this.replyListeners.delete(session);
    };
  }

  /** input_request from the kernel and input_reply from any client; the client they came from or went to filters itself out. */
  watchStdin(listener: Listener): () => void {
    this.stdinWatchers.add(listener);
    return () => this.stdinWatchers.delete(listener);
  }

  onState(listener: (s: ExecutionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async send(msg: Message): Promise<void> {
    if (!this.client || this.state === "dead") return;
    this.lastActivity = new Date();
    if (msg.channel === "stdin" && msg.header.msg_type === "input_reply") for (const l of this.stdinWatchers) l(msg);
    await this.client.send(msg);
  }

  async interrupt(): Promise<void> {
    if (this.launch.interruptMode === "signal") {
      this.process?.child.kill("SIGINT");
      return;
    }
    // Our kernel's control thread answers even while a cell blocks JavaScript in a loop.
    await this.client?.send(makeMessage("interrupt_request", {}, { session: this.session, channel: "control" }));
  }

  /** The client that asked knows it restarts; telling it "restarting" would read as an auto-restart. */
  async restart(): Promise<void> {
    this.setState("restarting");
    await this.stop(true);
    await this.start();
  }

  /** Asks the kernel to shut down, then kills it if it does not within the grace period. */
  async stop(restart = false): Promise<void> {
    this.expectingExit = true;
    const proc = this.process;
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null && this.client) {
      await this.client.send(makeMessage("shutdown_request", { restart }, { session: this.session, channel: "control" })).catch(() => undefined);
      const timer = setTimeout(() => proc.child.kill("SIGKILL"), SHUTDOWN_GRACE_MS);
      await proc.exited;
      clearTimeout(timer);
    }
    await this.client?.close();
    this.client = undefined;
  }

  private async kill(): Promise<void> {
    this.expectingExit = true;
    this.process?.child.kill("SIGKILL");
    await this.process?.exited;
    await this.client?.close();
    this.client = undefined;
  }
}
