/** Messages between the main thread and the control thread (control-worker.ts). */
export interface ControlThreadData {
  endpoint: string;
  key: string;
  /** Shared Int32 set to 1 once the socket is closed and the receive loop has ended. */
  stopped: SharedArrayBuffer;
}

export type FromControl =
  | { kind: "bound" }
  | { kind: "frames"; seq: number; frames: Uint8Array[] }
  /** JavaScript on the main thread was terminated; requests whose handling it ended need settling. */
  | { kind: "terminated" };

export type ToControl = { kind: "ack"; seq: number } | { kind: "send"; frames: Uint8Array[] } | { kind: "close" };
