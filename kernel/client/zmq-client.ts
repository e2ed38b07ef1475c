/**
 * The client end of a kernel's ZMQ sockets, as Jupyter Server and jupyter_client connect to it:
 * DEALER sockets for shell, control and stdin, SUB for iopub, REQ for heartbeat.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#introduction
 */
import { randomUUID } from "node:crypto";
import { Dealer, Request, Subscriber, type Readable } from "zeromq";
import { endpoint, type ConnectionInfo } from "../protocol/connection.ts";
import { isKernelInfoReply, type Channel, type Message } from "../protocol/messages.ts";
import { makeMessage } from "../protocol/reply.ts";
import { decodeWire, encodeWire, WireError } from "../protocol/wire.ts";
import { SerialSender } from "./serial-sender.ts";

export interface ZmqKernelClientOptions {
  /** Session id written into headers and used as the ZMQ routing id (default: a random UUID). */
  session?: string;
  /** Called for each incoming frame sequence that is dropped as malformed or wrongly signed. */
  onWireError?: (error: WireError, channel: Channel) => void;
}

type Listener = (msg: Message) => void;
type SendChannel = Exclude<Channel, "iopub">;

interface Sockets {
  shell: Dealer;
  control: Dealer;
  stdin: Dealer;
  iopub: Subscriber;
}

export class ZmqKernelClient {
  readonly session: string;
  readonly #conn: ConnectionInfo;
  readonly #onWireError: ((error: WireError, channel: Channel) => void) | undefined;
  readonly #listeners = new Set<Listener>();
  #sockets: Sockets | undefined;
  #senders: Record<SendChannel, SerialSender> | undefined;
  #loops: Promise<void>[] = [];

  constructor(conn: ConnectionInfo, opts: ZmqKernelClientOptions = {}) {
    this.#conn = conn;
    this.session = opts.session ?? randomUUID();
    this.#onWireError = opts.onWireError;
  }

  /** Connects all sockets (ZMQ connects lazily, so the kernel need not be up yet). */
  async connect(): Promise<void> {
    if (this.#sockets) return;
    // Same routing id on shell and stdin: the kernel sends input_request to the shell requester's id.
    const dealer = () => new Dealer({ routingId: this.session, linger: 0 });
    const sockets: Sockets = {
      shell: dealer(),
      control: dealer(),
      stdin: dealer(),
      iopub: new Subscriber({ linger: 0 }),
    };
    sockets.iopub.subscribe();
    for (const channel of ["shell", "control", "stdin", "iopub"] as const) {
      sockets[channel].connect(endpoint(this.#conn, channel));
      this.#loops.push(this.#receive(sockets[channel], channel));
    }
    this.#sockets = sockets;
    this.#senders = {
      shell: new SerialSender(sockets.shell),
      control: new SerialSender(sockets.control),
      stdin: new SerialSender(sockets.stdin),
    };
  }

  /** Sends on `msg.channel` (shell, control or stdin), signed with the connection key. */
  async send(msg: Message): Promise<void> {
    if (!this.#senders) throw new Error("ZmqKernelClient.send: not connected");
    if (msg.channel === "iopub") throw new Error("ZmqKernelClient.send: clients cannot send on iopub");
    await this.#senders[msg.channel].send(encodeWire(msg, this.#conn.key));
  }

  /** Every valid message received on any channel; returns a function that unsubscribes. */
  onMessage(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Heartbeat: true if the kernel echoes a ping within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<boolean> {
    // A fresh REQ socket per ping: a REQ that missed its reply cannot send again.
    const req = new Request({ linger: 0, sendTimeout: timeoutMs, receiveTimeout: timeoutMs });
    try {
      req.connect(endpoint(this.#conn, "hb"));
      const payload = Buffer.from(randomUUID());
      await req.send(payload);
      const [echo] = await req.receive();
      return echo !== undefined && echo.equals(payload);
    } catch {
      return false;
    } finally {
      req.close();
    }
  }

  /**
   * Sends kernel_info_request on shell until a reply arrives and iopub has delivered the last
   * request's idle status, so that iopub output of later requests is not lost to ZMQ's slow-joiner
   * subscription. The requests and their replies also reach onMessage listeners.
   */
  waitForReady(timeoutMs: number): Promise<Message<"kernel_info_reply">> {
    return new Promise((resolve, reject) => {
      const sent = new Set<string>();
      let last = "";
      let reply: Message<"kernel_info_reply"> | undefined;
      let lastIdle = false;
      let nudge: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: Error) => {
        clearTimeout(nudge);
        clearTimeout(deadline);
        unsubscribe();
        if (error) reject(error);
        else if (reply) resolve(reply);
      };
      // Ready once a reply came and the last request's idle status did: the kernel handles shell
      // requests in order and iopub is one ordered stream, so no status of an earlier request can
      // follow (a caller reading the state then sees idle, not a late busy). Requests are repeated
      // because iopub subscriptions miss what is published before they connect.
      const unsubscribe = this.onMessage((msg) => {
        if (isKernelInfoReply(msg) && sent.has(msg.parent_header.msg_id ?? "")) reply = msg;
        if (msg.channel === "iopub" && msg.header.msg_type === "status" && msg.parent_header.msg_id === last) {
          lastIdle = (msg.content as { execution_state?: string }).execution_state === "idle";
        }
        if (reply && lastIdle) finish();
      });
      const request = (waitMs: number) => {
        const msg = makeMessage("kernel_info_request", {}, { session: this.session, channel: "shell" });
        sent.add(msg.header.msg_id);
        last = msg.header.msg_id;
        lastIdle = false;
        this.send(msg).catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
        // Backing off, so that a loaded kernel's answer is not overtaken by the next request forever.
        nudge = setTimeout(() => request(Math.min(2 * waitMs, 2000)), waitMs);
      };
      const deadline = setTimeout(() => finish(new Error(`kernel did not answer kernel_info_request within ${timeoutMs} ms`)), timeoutMs);
      request(200);
    });
  }

  async close(): Promise<void> {
    const sockets = this.#sockets;
    if (!sockets) return;
    this.#sockets = undefined;
    this.#senders = undefined;
    for (const socket of Object.values(sockets)) socket.close();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  async #receive(socket: Readable, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          ({ message } = decodeWire(frames, this.#conn.key, channel));
        } catch (e: unknown) {
          if (!(e instanceof WireError)) throw e;
          this.#onWireError?.(e, channel);
          continue;
        }
        for (const listener of this.#listeners) {
          try {
            listener(message);
          } catch (e: unknown) {
            // A throwing listener must not stop delivery to the others or end the loop.
            console.error(`ZmqKernelClient: onMessage listener threw on ${message.header.msg_type}:`, e);
          }
        }
      }
    } catch (e: unknown) {
      console.error(`ZmqKernelClient: ${channel} receive loop failed:`, e);
    }
  }
}
