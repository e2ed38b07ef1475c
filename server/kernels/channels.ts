import type { WebSocket } from "ws";
import type { Message } from "../../kernel/protocol/messages.ts";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { ManagedKernel } from "./managed-kernel.ts";
import { FramingError, V1_PROTOCOL, decodeJson, decodeV1, encodeJson, encodeV1 } from "./ws-framing.ts";

/**
 * One browser (or script) attached to a kernel's channels over a WebSocket: frames in become
 * kernel messages, kernel messages become frames out. Lifecycle stays in the kernel manager.
 */
export class KernelChannelsConnection {
  private readonly detachers: (() => void)[] = [];
  private readonly sessions = new Set<string>();

  constructor(
    private readonly ws: WebSocket,
    private readonly kernel: ManagedKernel,
    private readonly sessionId: string,
    private readonly log: Logger,
    /** Hears each message once the kernel took it (the audit trail's executions). */
    private readonly sent: (msg: Message) => void = () => undefined,
  ) {}

  connect(): void {
    this.detachers.push(this.kernel.subscribe((msg) => this.handleOutgoing(msg)));
    // Other clients' prompts and answers: this page shows their input() too. Its own come as replies.
    this.detachers.push(
      this.kernel.watchStdin((msg) => {
        if (!this.involves(msg)) this.handleOutgoing(msg);
      }),
    );
    this.addSession(this.sessionId);
    this.ws.on("message", (data, isBinary) => {
      this.handleIncoming(data as Buffer, isBinary).catch((e: unknown) =>
        this.log.warn({ kernel: this.kernel.id, err: coerceError(e).message }, "could not forward a WebSocket message to the kernel"),
      );
    });
    this.ws.on("close", () => this.disconnect());
  }

  disconnect(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  private addSession(session: string): void {
    if (this.sessions.has(session)) return;
    this.sessions.add(session);
    this.detachers.push(this.kernel.route(session, (msg) => this.handleOutgoing(msg)));
  }

  /** Sent by one of this client's sessions, or in reply to one (an input_request for its own run). */
  private involves(msg: Message): boolean {
    return this.sessions.has(msg.header.session) || ("session" in msg.parent_header && this.sessions.has(msg.parent_header.session));
  }

  private get binary(): boolean {
    return this.ws.protocol === V1_PROTOCOL;
  }

  async handleIncoming(data: Buffer, isBinary: boolean): Promise<void> {
    let msg: Message;
    try {
      msg = this.binary && isBinary ? decodeV1(data) : decodeJson(data.toString("utf8"));
    } catch (e: unknown) {
      if (!(e instanceof FramingError)) throw e;
      this.log.warn({ kernel: this.kernel.id, err: e.message }, "dropped a malformed WebSocket message");
      return;
    }
    // Replies are routed back by the session id of the request.
    this.addSession(msg.header.session);
    await this.kernel.send(msg);
    this.sent(msg);
  }

  handleOutgoing(msg: Message): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(this.binary ? encodeV1(msg) : encodeJson(msg));
  }
}
