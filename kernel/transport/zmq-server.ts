/**
 * The kernel's side of the ZMQ sockets: ROUTER shell/control/stdin, PUB iopub, heartbeat echo.
 * It verifies signatures, publishes busy/idle around every request, runs shell requests one at a
 * time, and leaves language semantics to a JupyterHandler.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#request-reply
 */
import { randomUUID } from "node:crypto";
import { setTimeout } from "node:timers/promises";
import { Publisher, Router, type Readable } from "zeromq";
import type { IOPubPublisher, JupyterHandler } from "../handler/handler.ts";
import type { StdinRequester } from "../handler/stdin.ts";
import { log } from "../log.ts";
import { endpoint, type ConnectionInfo } from "../protocol/connection.ts";
import {
  isCommCloseMessage,
  isCommInfoRequest,
  isCommMsgMessage,
  isCommOpenMessage,
  isCompleteRequest,
  isExecuteRequest,
  isHistoryRequest,
  isInputReply,
  isInspectRequest,
  isInterruptRequest,
  isIsCompleteRequest,
  isKernelInfoRequest,
  isLightbookReplayRequest,
  isShutdownRequest,
  type Channel,
  type ContentMap,
  type Header,
  type IOPubMessageType,
  type Message,
} from "../protocol/messages.ts";
import { makeMessage, replyTo } from "../protocol/reply.ts";
import { decodeWire, encodeWire, WireError } from "../protocol/wire.ts";
import { ControlThread } from "./control-thread.ts";
import { detachedFrames } from "./detached-frames.ts";
import { ReplayBuffer } from "./replay-buffer.ts";

type RouterChannel = "shell" | "stdin";

/**
 * sendTimeout 0: every send is handed to ZMQ's I/O thread synchronously, so a message published
 * just before a cell blocks the main thread (execute_input before `while (true) {}`) still goes
 * out, and sends never wait on each other (zeromq@6 delays every 512th send otherwise, making the
 * next one fail with EBUSY). PUB and ROUTER drop rather than block, so nothing waits anyway.
 * linger: closed sockets keep delivering what is queued (the shutdown reply, the last idle).
 */
const SOCKET_OPTIONS = { sendTimeout: 0, linger: 1000 };

const PEER_WAIT_MS = 2000;
const PEER_RETRY_MS = 10;

/** Sends on a mandatory ROUTER, waiting up to PEER_WAIT_MS for the peer to be connected. */
async function sendToPeer(socket: Router, frames: Buffer[]): Promise<void> {
  const deadline = Date.now() + PEER_WAIT_MS;
  for (;;) {
    try {
      await socket.send(detachedFrames(frames));
      return;
    } catch (e: unknown) {
      if ((e as { code?: unknown }).code !== "EHOSTUNREACH" || Date.now() > deadline) throw e;
      await setTimeout(PEER_RETRY_MS);
    }
  }
}

interface Incoming {
  identities: Buffer[];
  message: Message;
}

export interface ZmqServerOptions {
  /** Called after the shutdown_reply has been sent; the owner closes the server and exits. */
  onShutdown: (restart: boolean) => void;
  /** Heartbeat pings stopped this long ago: the server that launched the kernel is gone (heartbeat.ts). */
  orphanGraceMs?: number;
}

export class ZmqServer {
  /** The kernel's own session id, written into the headers of everything it sends. */
  readonly session = randomUUID();
  readonly #conn: ConnectionInfo;
  readonly #handler: JupyterHandler;
  readonly #options: ZmqServerOptions;
  readonly #routers: Record<RouterChannel, Router>;
  /** Control (and the heartbeat) run in their own thread, so an interrupt reaches JavaScript stuck in a loop (control-worker.ts). */
  #control: ControlThread | undefined;
  readonly #iopub = new Publisher(SOCKET_OPTIONS);
  /** Recent iopub, for a server that reattaches after a restart (lightbook_replay_request). */
  readonly #replay = new ReplayBuffer();
  #loops: Promise<void>[] = [];
  /** Shell requests wait here and run one at a time, in arrival order. */
  readonly #shellQueue: Incoming[] = [];
  #shellRunning = false;
  /** Settles comm handling that an interrupt's termination of stuck JavaScript cut short. */
  readonly #terminated: (() => void)[] = [];
  /** input_request msg_id → the cell waiting for its input_reply. */
  readonly #pendingInputs = new Map<string, (value: string) => void>();
  /** Execute requests queued when a cell failed; answered 'aborted' like ipykernel (stop_on_error). */
  readonly #abortedByEarlierError = new WeakSet<Message>();

  constructor(conn: ConnectionInfo, handler: JupyterHandler, options: ZmqServerOptions) {
    this.#conn = conn;
    this.#handler = handler;
    this.#options = options;
    this.#routers = {
      shell: new Router(SOCKET_OPTIONS),
      // mandatory: a client's stdin socket may connect a little after its shell socket, and
      // input_request is then retried (sendToPeer) rather than silently dropped.
      stdin: new Router({ ...SOCKET_OPTIONS, mandatory: true }),
    };
  }

  async start(): Promise<void> {
    await Promise.all([
      ...(["shell", "stdin"] as const).map((c) => this.#routers[c].bind(endpoint(this.#conn, c))),
      this.#iopub.bind(endpoint(this.#conn, "iopub")),
    ]);
    // Control is not queued behind shell: interrupt and shutdown must get through a busy kernel.
    const sockets = {
      endpoint: endpoint(this.#conn, "control"),
      heartbeatEndpoint: endpoint(this.#conn, "hb"),
      orphanGraceMs: this.#options.orphanGraceMs,
      key: this.#conn.key,
    };
    this.#control = await ControlThread.start(sockets, {
      onFrames: (frames) => this.#accept(frames, "control", (incoming) => void this.#dispatch(incoming, "control")),
      onTerminated: () => this.#terminated.splice(0).forEach((settle) => settle()),
    });
    this.#loops = [
      this.#receive(this.#routers.shell, "shell", (incoming) => this.#enqueueShell(incoming)),
      this.#receive(this.#routers.stdin, "stdin", ({ message }) => this.#inputReplied(message)),
    ];
  }

  async close(): Promise<void> {
    for (const socket of [...Object.values(this.#routers), this.#iopub]) socket.close();
    await Promise.all(this.#loops);
    await this.#control?.close();
  }

  /**
   * Publishes on iopub, encoding synchronously so that content that cannot be serialized throws
   * to the caller. The topic is the msg_type, the convention the spec describes.
   */
  publish<T extends IOPubMessageType>(msg_type: T, content: ContentMap[T], parent?: Header, buffers?: Uint8Array[]): Promise<void> {
    const msg = makeMessage(msg_type, content, { session: this.session, channel: "iopub", parent, buffers });
    const frames = encodeWire(msg, this.#conn.key, [Buffer.from(msg_type)]);
    this.#replay.add(
      msg,
      frames.reduce((n, f) => n + f.byteLength, 0),
    );
    return this.#iopub.send(detachedFrames(frames)).catch((e: unknown) => log(`iopub send failed: ${String(e)}`));
  }

  #publisherFor(parent: Header): IOPubPublisher {
    return { publish: (msg_type, content, buffers) => void this.publish(msg_type, content, parent, buffers) };
  }

  /** Sends input_request to the client that sent `request`: same ZMQ identity, on stdin. */
  #stdinFor({ identities, message }: Incoming & { message: Message<"execute_request"> }): StdinRequester | undefined {
    if (!message.content.allow_stdin) return undefined;
    return {
      input: (prompt, password) => {
        const inputRequest = makeMessage("input_request", { prompt, password }, { session: this.session, channel: "stdin", parent: message.header });
        return new Promise((resolve, reject) => {
          this.#pendingInputs.set(inputRequest.header.msg_id, resolve);
          sendToPeer(this.#routers.stdin, encodeWire(inputRequest, this.#conn.key, identities)).catch(reject);
        });
      },
    };
  }

  #inputReplied(message: Message): void {
    const parentId = message.parent_header.msg_id;
    const waiting = parentId === undefined ? undefined : this.#pendingInputs.get(parentId);
    if (!isInputReply(message) || !waiting || parentId === undefined) {
      log(`ignoring ${message.header.msg_type} on stdin: no input_request of the kernel is waiting for it`);
      return;
    }
    this.#pendingInputs.delete(parentId);
    waiting(message.content.value);
  }

  async #receive(socket: Readable, channel: Channel, accept: (incoming: Incoming) => void): Promise<void> {
    try {
      for await (const frames of socket) this.#accept(frames, channel, accept);
    } catch (e: unknown) {
      log(`${channel} receive loop failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  #accept(frames: Buffer[], channel: Channel, accept: (incoming: Incoming) => void): void {
    try {
      accept(decodeWire(frames, this.#conn.key, channel));
    } catch (e: unknown) {
      if (!(e instanceof WireError)) throw e;
      // Spec: kernels need not answer messages they do not handle; bad signatures never run.
      log(`dropped message on ${channel}: ${e.message}`);
    }
  }

  #enqueueShell(incoming: Incoming): void {
    this.#shellQueue.push(incoming);
    if (!this.#shellRunning) void this.#drainShell();
  }

  async #drainShell(): Promise<void> {
    this.#shellRunning = true;
    try {
      for (let next = this.#shellQueue.shift(); next; next = this.#shellQueue.shift()) {
        await this.#dispatch(next, "shell");
      }
    } finally {
      this.#shellRunning = false;
    }
  }

  /** One request: busy, the reply (if the message type has one), idle, whatever happens. */
  async #dispatch({ identities, message }: Incoming, channel: "shell" | "control"): Promise<void> {
    void this.publish("status", { execution_state: "busy" }, message.header);
    try {
      const reply = await this.#answer({ identities, message });
      const frames = reply && encodeWire(reply, this.#conn.key, identities);
      if (frames && channel === "control") this.#control?.send(frames);
      else if (frames) await this.#routers.shell.send(detachedFrames(frames));
    } catch (e: unknown) {
      log(`handling ${message.header.msg_type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      await this.publish("status", { execution_state: "idle" }, message.header);
    }
    if (isShutdownRequest(message)) this.#options.onShutdown(message.content.restart);
  }

  /** The reply to `request`, or undefined for messages that have none. */
  async #answer(incoming: Incoming): Promise<Message | undefined> {
    const request = incoming.message;
    const handler = this.#handler;
    const session = this.session;
    if (isExecuteRequest(request)) {
      if (this.#abortedByEarlierError.has(request)) {
        return replyTo(request, { status: "aborted" }, {}, session);
      }
      const stdin = this.#stdinFor({ identities: incoming.identities, message: request });
      const content = await handler.execute(request, this.#publisherFor(request.header), stdin);
      if (content.status === "error" && request.content.stop_on_error !== false) this.#abortQueuedExecutes();
      return replyTo(request, content, {}, session);
    }
    if (isKernelInfoRequest(request)) return replyTo(request, handler.kernelInfo(), {}, session);
    if (isIsCompleteRequest(request)) return replyTo(request, handler.isComplete(request.content), {}, session);
    if (isCompleteRequest(request)) return replyTo(request, await handler.complete(request.content), {}, session);
    if (isInspectRequest(request)) return replyTo(request, await handler.inspect(request.content), {}, session);
    if (isHistoryRequest(request)) return replyTo(request, handler.history(request.content), {}, session);
    if (isCommInfoRequest(request)) return replyTo(request, handler.commInfo(request.content), {}, session);
    if (isCommOpenMessage(request) || isCommMsgMessage(request) || isCommCloseMessage(request)) {
      // Comm handlers are user code: run after this frame awaits, so that an interrupt that
      // terminates a stuck handler does not end this request's handling with it.
      const handled = Promise.resolve().then(() => handler.comm(request, this.#publisherFor(request.header)));
      await Promise.race([handled, new Promise<void>((settle) => this.#terminated.push(settle))]);
      return undefined;
    }
    if (isLightbookReplayRequest(request)) {
      const after = (request.content as { after?: unknown }).after;
      return replyTo(request, { status: "ok", ...this.#replay.after(typeof after === "string" ? after : null) }, {}, session);
    }
    if (isInterruptRequest(request)) {
      handler.interrupt();
      return replyTo(request, { status: "ok" }, {}, session);
    }
    if (isShutdownRequest(request)) {
      return replyTo(request, { status: "ok", restart: request.content.restart }, {}, session);
    }
    log(`ignoring ${request.header.msg_type} on ${request.channel}`);
    return undefined;
  }

  #abortQueuedExecutes(): void {
    for (const { message } of this.#shellQueue) {
      if (isExecuteRequest(message)) this.#abortedByEarlierError.add(message);
    }
  }
}
