/**
 * The control channel's thread (ipykernel runs control in its own thread too). It binds the
 * control ROUTER and hands every message to the main thread, which answers as for any channel.
 * What only this thread can do: when an interrupt_request arrives and the main thread does not
 * take the message within ACK_TIMEOUT_MS, JavaScript there is stuck in synchronous code (a loop
 * after a cell's first await, or in a timer), which neither SIGINT nor the event loop can reach;
 * V8's Runtime.terminateExecution, through an inspector session on the main thread, stops it.
 * The main thread's event loop then resumes, takes the interrupt_request and answers it.
 * This thread also bounds the process's memory (memory-watchdog.ts) and answers heartbeats
 * (heartbeat.ts), for the same reason: it runs while the main thread is stuck.
 */
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { Router } from "zeromq";
import { decodeWire, WireError } from "../protocol/wire.ts";
import { kernelMemoryMb } from "../memory-limit.ts";
import type { ControlThreadData, FromControl, ToControl } from "./control-protocol.ts";
import { detachedFrames } from "./detached-frames.ts";
import { serveHeartbeat } from "./heartbeat.ts";
import { watchMemory } from "./memory-watchdog.ts";

const ACK_TIMEOUT_MS = 200;

const port = parentPort;
if (!port) throw new Error("control-worker.ts runs as a worker thread");
const { endpoint, heartbeatEndpoint, orphanGraceMs, key, stopped } = workerData as ControlThreadData;
watchMemory(kernelMemoryMb());
const socket = new Router({ sendTimeout: 0, linger: 1000 });
const heartbeat = serveHeartbeat(heartbeatEndpoint, orphanGraceMs);
/** Interrupt requests handed to the main thread and not yet taken, by sequence number. */
const unacknowledged = new Map<number, NodeJS.Timeout>();
let sequence = 0;

/**
 * Connected only for the termination: an inspector session attached to the main thread makes its
 * JavaScript several times slower.
 */
function terminateMainThread(): void {
  const inspector = new Session();
  inspector.connectToMainThread();
  inspector.post("Runtime.terminateExecution", () => {
    inspector.disconnect();
    port?.postMessage({ kind: "terminated" } satisfies FromControl);
  });
}

function isInterruptRequest(frames: Buffer[]): boolean {
  try {
    return decodeWire(frames, key, "control").message.header.msg_type === "interrupt_request";
  } catch (e: unknown) {
    if (e instanceof WireError) return false; // the main thread logs and drops it
    throw e;
  }
}

port.on("message", (message: ToControl) => {
  if (message.kind === "ack") {
    clearTimeout(unacknowledged.get(message.seq));
    unacknowledged.delete(message.seq);
  } else if (message.kind === "send") {
    socket.send(detachedFrames(message.frames)).catch(() => undefined);
  } else {
    socket.close();
    heartbeat.close();
  }
});

// A function, not top-level await: the worker runs as a CommonJS bundle (worker-thread.ts).
const serve = async (): Promise<void> => {
  await Promise.all([socket.bind(endpoint), heartbeat.bound]);
  port.postMessage({ kind: "bound" } satisfies FromControl);
  try {
    for await (const frames of socket) {
      const seq = ++sequence;
      if (isInterruptRequest(frames)) {
        unacknowledged.set(
          seq,
          setTimeout(() => {
            unacknowledged.delete(seq);
            terminateMainThread();
          }, ACK_TIMEOUT_MS),
        );
      }
      port.postMessage({ kind: "frames", seq, frames } satisfies FromControl);
    }
  } finally {
    // The main thread waits for `stopped` before the process exits (control-thread.ts).
    await heartbeat.ended.catch(() => undefined);
    port.close();
    const flag = new Int32Array(stopped);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
};

void serve();
