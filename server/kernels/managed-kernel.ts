import { randomUUID } from "node:crypto";
import { isLightbookReplayReply, isMessage, type Message } from "../../kernel/protocol/messages.ts";
import type { ConnectionInfo } from "../../kernel/protocol/connection.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { ZmqKernelClient } from "../../kernel/client/zmq-client.ts";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { ExecutionState, KernelModel } from "../../contracts/kernels.ts";
import { adoptKernel, spawnKernel, type KernelProcess } from "./process.ts";

export interface KernelLaunch {
  argv: readonly string[];
  /** The kernelspec's: how the kernel wants interrupts (as jupyter_client's KernelManager reads it). */
  interruptMode: "signal" | "message";
  connectionFile: string;
  /** The kernel's stderr, in the runtime dir beside its connection file. */
  logFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** How often the server pings the heartbeat: the kernel ends itself after its orphan grace without one. */
  pingMs: number;
}

export class KernelStartError extends Error {}

const READY_TIMEOUT_MS = 30_000;
/** A kernel left by the previous server answers at once if it runs at all; a hung one is not waited for long. */
const REATTACH_TIMEOUT_MS = 10_000;
const REPLAY_TIMEOUT_MS = 5_000;
const SHUTDOWN_GRACE_MS = 5_000;
/** Kernels that answer lightbook_replay_request (kernel_info_reply's `implementation`). */
const REPLAYING_IMPLEMENTATION = "lightbook-ts";

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
  /** The server's own recorders of shell traffic (the notebook runner): every client's requests and the kernel's replies. */
  private readonly shellObservers = new Set<Listener>();
  private readonly stateListeners = new Set<(s: ExecutionState) => void>();
  /** The server's recorders of requests sent to the kernel (the journal notes execute_requests' cell ids). */
  private readonly sentObservers = new Set<Listener>();
  /** Set while the server itself stops or restarts the process, so its exit is not a death. */
  private expectingExit = false;
  /** The session id of the server's own requests (nudges, shutdown). */
  private readonly session = randomUUID();
  /** While reattaching: iopub that arrives live, held until the kernel's replay of what came before is in. */
  private held: Message[] | undefined;
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    /** Replaced when a dead kernel is started again (its old ports may be taken meanwhile). */
    public connection: ConnectionInfo,
    private readonly launch: KernelLaunch,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get pgid(): number | undefined {
    return this.process?.pgid;
  }

  get connections(): number {
    return this.iopubListeners.size;
  }

  model(): KernelModel {
    return { id: this.id, name: this.name, last_activity: this.lastActivity.toISOString(), execution_state: this.state, connections: this.connections };
  }

  async start(): Promise<void> {
    this.expectingExit = false;
    this.setState("starting");
    const proc = spawnKernel(this.launch.argv, this.launch.connectionFile, this.launch.logFile, this.launch.env, this.launch.cwd);
    await this.connect(proc);
    await this.waitReady(proc, READY_TIMEOUT_MS, "start");
  }

  /**
   * Takes over a kernel that a previous server started (and left running when it stopped or was
   * killed): checks that it answers, then has it replay the iopub published after `after` (the last
   * message the journal had stored), so output printed while no server listened is not lost.
   * Throws KernelStartError when the process is gone or does not answer.
   */
  async reattach(pid: number, pgid: number, after: string | null): Promise<void> {
    const proc = adoptKernel(pid, pgid, this.launch.logFile);
    this.held = [];
    await this.connect(proc);
    const info = await this.waitReady(proc, REATTACH_TIMEOUT_MS, "reattach");
    // Live iopub stays held until the replay is in (it comes on control), so that order is kept.
    const replayed = info.content.status === "ok" && info.content.implementation === REPLAYING_IMPLEMENTATION ? await this.replay(after) : [];
    const held = this.held ?? [];
    this.held = undefined;
    // What the replay and the live subscription both carried is delivered once.
    const seen = new Set(replayed.map((m) => m.header.msg_id));
    for (const msg of [...replayed, ...held.filter((m) => !seen.has(m.header.msg_id))]) this.onKernelMessage(msg);
    if (this.state === "starting") this.setState("idle");
  }

  private async replay(after: string | null): Promise<Message[]> {
    const request = makeMessage("lightbook_replay_request", { after }, { session: this.session, channel: "control" });
    const reply = new Promise<Message<"lightbook_replay_reply">>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no lightbook_replay_reply within ${REPLAY_TIMEOUT_MS} ms`)), REPLAY_TIMEOUT_MS);
      const stop = this.client!.onMessage((msg) => {
        if (isLightbookReplayReply(msg) && msg.parent_header.msg_id === request.header.msg_id) {
          clearTimeout(timer);
          stop();
          resolve(msg);
        }
      });
    });
    try {
      await this.client!.send(request);
      const { content } = await reply;
      if (content.status !== "ok") throw new Error(`${content.ename}: ${content.evalue}`);
      if (!content.complete) this.log.warn({ kernel: this.id }, "the kernel's replay buffer no longer held everything published while the server was away");
      // Checked like any message from the kernel: one that does not fit is dropped, not cast.
      return content.messages.map((m): unknown => ({ ...m, buffers: [], channel: "iopub" })).filter(isMessage);
    } catch (e: unknown) {
      this.log.warn({ kernel: this.id, err: coerceError(e).message }, "could not replay the kernel's output from while the server was away");
      return [];
    }
  }

  private async connect(proc: KernelProcess): Promise<void> {
    this.expectingExit = false;
    this.process = proc;
    proc.exited.then(({ code, signal }) => this.onExit(proc, code, signal));
    const client = new ZmqKernelClient(this.connection, { session: this.session });
    this.client = client;
    await client.connect();
    client.onMessage((msg) => this.onKernelMessage(msg));
    // Pings tell the kernel its server is there (kernel/transport/heartbeat.ts, orphan grace).
    clearInterval(this.pinger);
    this.pinger = setInterval(() => void client.ping(this.launch.pingMs), this.launch.pingMs);
    this.pinger.unref();
  }

  /** Ready once the kernel answers on shell and iopub flows; a start that exits or hangs fails clearly. */
  private async waitReady(proc: KernelProcess, timeoutMs: number, what: "start" | "reattach"): Promise<Message<"kernel_info_reply">> {
    let info: Message<"kernel_info_reply">;
    try {
      info = await Promise.race([
        this.client!.waitForReady(timeoutMs),
        proc.exited.then(async () => {
          throw new KernelStartError(`kernel ${this.name} exited while starting${await this.stderrNote(proc)}`);
        }),
      ]);
    } catch (e: unknown) {
      this.held = undefined;
      await this.kill();
      if (e instanceof KernelStartError) throw e;
      throw new KernelStartError(
        `kernel ${this.name} did not ${what === "start" ? "start" : "answer"}: ${coerceError(e).message}${await this.stderrNote(proc)}`,
      );
    }
    if (what === "start") this.setState("idle");
    return info;
  }

  private async stderrNote(proc: KernelProcess): Promise<string> {
    const tail = await proc.stderrTail();
    return tail ? `:\n${tail}` : "";
  }

  private onKernelMessage(msg: Message): void {
    this.lastActivity = new Date();
    if (msg.channel === "iopub" && this.held) {
      this.held.push(msg);
      return;
    }
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
    if (msg.channel === "shell") for (const l of this.shellObservers) l(msg);
    const session = "session" in msg.parent_header ? msg.parent_header.session : undefined;
    if (session !== undefined) this.replyListeners.get(session)?.(msg);
  }

  private onExit(proc: KernelProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (proc !== this.process) return;
    clearInterval(this.pinger);
    if (this.expectingExit) return;
    this.log.warn({ kernel: this.id, code, signal }, "kernel process died");
    this.setState("dead");
    this.broadcastStatus("dead");
  }

  /** A kernel found gone when the server reattached: reported dead, restartable. */
  markDead(): void {
    this.setState("dead");
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

  /** Every message a client sends to the kernel, before it goes. */
  observeSent(listener: Listener): () => void {
    this.sentObservers.add(listener);
    return () => this.sentObservers.delete(listener);
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

  /** Shell requests from any client (before they reach the kernel) and the kernel's shell replies to any client. */
  observeShell(listener: Listener): () => void {
    this.shellObservers.add(listener);
    return () => this.shellObservers.delete(listener);
  }

  onState(listener: (s: ExecutionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async send(msg: Message): Promise<void> {
    if (!this.client || this.state === "dead") return;
    this.lastActivity = new Date();
    if (msg.channel === "stdin" && msg.header.msg_type === "input_reply") for (const l of this.stdinWatchers) l(msg);
    if (msg.channel === "shell") for (const l of this.shellObservers) l(msg);
    for (const l of this.sentObservers) l(msg);
    await this.client.send(msg);
  }

  async interrupt(): Promise<void> {
    if (this.launch.interruptMode === "signal") {
      this.process?.signal("SIGINT");
      return;
    }
    // Our kernel's control thread answers even while a cell blocks JavaScript in a loop.
    await this.client?.send(makeMessage("interrupt_request", {}, { session: this.session, channel: "control" }));
  }

  /**
   * The client that asked knows it restarts; telling it "restarting" would read as an auto-restart.
   * A dead kernel starts on `connection`, fresh ports: its old ones may have been taken meanwhile.
   */
  async restart(connection?: ConnectionInfo): Promise<void> {
    this.setState("restarting");
    await this.stop(true);
    if (connection) this.connection = connection;
    await this.start();
  }

  /** Asks the kernel to shut down, then kills its process group if it does not within the grace period. */
  async stop(restart = false): Promise<void> {
    this.expectingExit = true;
    clearInterval(this.pinger);
    const proc = this.process;
    if (proc && this.client && this.state !== "dead") {
      await this.client.send(makeMessage("shutdown_request", { restart }, { session: this.session, channel: "control" })).catch(() => undefined);
      const timer = setTimeout(() => proc.killGroup(), SHUTDOWN_GRACE_MS);
      await proc.exited;
      clearTimeout(timer);
    }
    await this.client?.close();
    this.client = undefined;
  }

  /** Lets go of the kernel and leaves it running, for the next server to reattach (the server stops). */
  async detach(): Promise<void> {
    this.expectingExit = true;
    clearInterval(this.pinger);
    await this.client?.close();
    this.client = undefined;
  }

  private async kill(): Promise<void> {
    this.expectingExit = true;
    clearInterval(this.pinger);
    this.process?.killGroup();
    await this.process?.exited;
    await this.client?.close();
    this.client = undefined;
  }
}
