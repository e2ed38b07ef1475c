/**
 * The heartbeat REP socket, echoing every ping. It runs on the control thread (control-worker.ts),
 * as ipykernel runs it off its main thread, so a cell busy in synchronous code does not look like
 * a dead kernel; sharing that thread saves a thread's isolate (~12 MiB, bench/kernel-memory.ts).
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#heartbeat-for-kernels
 *
 * With an orphan grace (kernels launched by Lightbook's server, which pings every few seconds
 * and may restart without stopping its kernels), the kernel ends itself once no ping came for
 * that long: its server is gone for good. The check runs off the main thread, so a cell stuck in
 * a loop there does not keep an orphan alive; SIGTERM ends it as kernel/main.ts handles it.
 */
import { writeSync } from "node:fs";
import process from "node:process";
import { Reply } from "zeromq";

export interface HeartbeatSocket {
  /** Settles once the socket is bound; rejects if binding fails. */
  bound: Promise<void>;
  /** Settles once the socket is closed and its receive loop has ended. */
  ended: Promise<void>;
  close(): void;
}

export function serveHeartbeat(endpoint: string, orphanGraceMs: number | undefined): HeartbeatSocket {
  const socket = new Reply({ linger: 0 });
  let lastPing = Date.now();
  const orphanCheck =
    orphanGraceMs === undefined
      ? undefined
      : setInterval(
          () => {
            if (Date.now() - lastPing <= orphanGraceMs) return;
            clearInterval(orphanCheck);
            // Straight to fd 2 as kernel/log.ts writes: the main thread may be stuck in a cell.
            try {
              writeSync(
                2,
                `[lightbook-kernel ${new Date().toISOString()}] no heartbeat ping for ${orphanGraceMs} ms (LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS): its server is gone; exiting\n`,
              );
            } catch {
              // stderr closed: exit all the same
            }
            process.kill(process.pid, "SIGTERM");
          },
          Math.min(1000, orphanGraceMs),
        );
  const bound = socket.bind(endpoint);
  const echo = async (): Promise<void> => {
    await bound;
    for await (const [ping] of socket) {
      lastPing = Date.now();
      await socket.send(ping ?? Buffer.alloc(0));
    }
  };
  return {
    bound,
    ended: echo(),
    close: () => {
      clearInterval(orphanCheck);
      socket.close();
    },
  };
}
