/**
 * What the h5grove routes ask the read workers (read-worker.ts) and what they answer: plain data,
 * since values cross a worker-thread boundary by structured clone (classes such as HttpError do not).
 */
export type GroveTask =
  | { op: "meta"; file: string; path: string }
  /** `keys`: only these attributes (h5grove's attr_keys). */
  | { op: "attr"; file: string; path: string; keys?: string[] }
  | { op: "paths"; file: string; path: string }
  | { op: "data"; file: string; path: string; selection?: string; format: "json" | "bin" | "npy"; dtype: "origin" | "safe"; flatten: boolean };

export type GroveReply =
  | { ok: true; json: unknown }
  /** `text` is JSON text already; `bytes` is raw data. */
  | { ok: true; text: string }
  | { ok: true; bytes: Uint8Array; attachment?: string }
  | { ok: false; status: number; message: string; reason: string };

/** Set once per worker (Piscina's workerData). */
export interface GroveWorkerData {
  root: string;
  maxReadBytes: number;
}
