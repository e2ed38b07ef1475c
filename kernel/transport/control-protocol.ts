/** Messages between the main thread and the control thread (control-worker.ts). */
export interface ControlThreadData {
  endpoint: string;
  /** The heartbeat socket's, served on the same thread (heartbeat.ts). */
  heartbeatEndpoint: string;
  /** End the kernel after this long without a heartbeat ping (heartbeat.ts); none if undefined. */
  orphanGraceMs: number | undefined;
  key: string;
  /** Shared Int32 set to 1 once the sockets are closed and their receive loops have ended. */
  stopped: SharedArrayBuffer;
}

export type FromControl =
  | { kind: "bound" }
  | { kind: "frames"; seq: number; frames: Uint8Array[] }
  /** JavaScript on the main thread was terminated; requests whose handling it ended need settling. */
  | { kind: "terminated" };

export type ToControl = { kind: "ack"; seq: number } | { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
