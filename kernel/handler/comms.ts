/**
 * Comms: long-lived channels between a cell's objects and frontend code (what ipywidgets-like
 * protocols build on). Cells reach them as the `comms` global:
 *   comms.registerTarget('my.target', (comm, data) => comm.onMsg((d) => comm.send({ echo: d })))
 *   const comm = comms.open('my.target', { initial: 1 });  comm.send({...});  comm.close();
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#custom-messages
 */
import { randomUUID } from "node:crypto";
import type { CommInfoReply, JsonValue, Message } from "../protocol/messages.ts";
import type { Output } from "./output.ts";

type CommData = Record<string, JsonValue>;
type MsgHandler = (data: CommData, buffers: Uint8Array[]) => void;

export class Comm {
  #closed = false;
  readonly #onMsg: MsgHandler[] = [];
  readonly #onClose: ((data: CommData) => void)[] = [];
  readonly #manager: CommManager;

  constructor(
    readonly id: string,
    readonly targetName: string,
    manager: CommManager,
  ) {
    this.#manager = manager;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(data: CommData = {}, buffers: Uint8Array[] = []): void {
    if (this.#closed) throw new Error(`comm ${this.id} is closed`);
    this.#manager.output.publish("comm_msg", { comm_id: this.id, data }, buffers);
  }

  close(data: CommData = {}): void {
    if (this.#closed) return;
    this.#manager.output.publish("comm_close", { comm_id: this.id, data });
    this.closedBy(data);
  }

  onMsg(handler: MsgHandler): void {
    this.#onMsg.push(handler);
  }

  onClose(handler: (data: CommData) => void): void {
    this.#onClose.push(handler);
  }

  /** A message from the frontend. */
  received(data: CommData, buffers: Uint8Array[]): void {
    for (const handler of this.#onMsg) handler(data, buffers);
  }

  /** Closed by either side: handlers run once and the manager forgets the comm. */
  closedBy(data: CommData): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#manager.forget(this.id);
    for (const handler of this.#onClose) handler(data);
  }
}

export type TargetHandler = (comm: Comm, data: CommData, buffers: Uint8Array[]) => void;

/** The `comms` global as cells see it. */
export interface CommsApi {
  registerTarget(targetName: string, handler: TargetHandler): void;
  open(targetName: string, data?: CommData, buffers?: Uint8Array[]): Comm;
}

/** The globals this module gives cells, as the language service declares them. */
export interface CommGlobals {
  comms: CommsApi;
}

export class CommManager implements CommsApi {
  readonly #targets = new Map<string, TargetHandler>();
  readonly #comms = new Map<string, Comm>();

  constructor(readonly output: Output) {}

  registerTarget(targetName: string, handler: TargetHandler): void {
    this.#targets.set(targetName, handler);
  }

  /** Opens a comm from the kernel side; the frontend must have registered `targetName`. */
  open(targetName: string, data: CommData = {}, buffers: Uint8Array[] = []): Comm {
    const comm = new Comm(randomUUID(), targetName, this);
    this.#comms.set(comm.id, comm);
    this.output.publish("comm_open", { comm_id: comm.id, target_name: targetName, data }, buffers);
    return comm;
  }

  forget(id: string): void {
    this.#comms.delete(id);
  }

  /** comm_open from the frontend; an unknown target is answered with comm_close, as the spec asks. */
  opened({ content, buffers }: Message<"comm_open">): void {
    const handler = this.#targets.get(content.target_name);
    if (!handler) {
      this.output.publish("comm_close", { comm_id: content.comm_id, data: {} });
      return;
    }
    const comm = new Comm(content.comm_id, content.target_name, this);
    this.#comms.set(comm.id, comm);
    handler(comm, content.data ?? {}, buffers);
  }

  received({ content, buffers }: Message<"comm_msg">): void {
    this.#comms.get(content.comm_id)?.received(content.data ?? {}, buffers);
  }

  closed({ content }: Message<"comm_close">): void {
    this.#comms.get(content.comm_id)?.closedBy(content.data ?? {});
  }

  info(targetName: string | undefined): Extract<CommInfoReply, { status: "ok" }>["comms"] {
    const comms: Record<string, { target_name: string }> = {};
    for (const comm of this.#comms.values()) {
      if (targetName === undefined || comm.targetName === targetName) comms[comm.id] = { target_name: comm.targetName };
    }
    return comms;
  }
}
