import type { Writable } from "zeromq";

/**
 * zeromq@6 rejects a send while another send on the same socket is still waiting (EBUSY), which
 * DEALER sends do until the kernel is reachable; this queues the sends in call order.
 */
export class SerialSender {
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Writable) {}

  send(frames: Buffer[]): Promise<void> {
    const sent = this.#tail.then(() => this.socket.send(frames));
    // A failed send is reported to its caller only; it must not block the sends queued after it.
    this.#tail = sent.catch(() => undefined);
    return sent;
  }
}
