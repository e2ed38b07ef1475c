/**
 * The language worker: the session's TypeScript language service, off the main thread so type
 * checking runs while the cell runs, and completion does not make a cell's timers late.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { LanguageRequest, LanguageResponse } from "./language-protocol.ts";
import { SessionLanguageService } from "./session-service.ts";

const port = parentPort;
if (!port) throw new Error("language-worker.ts runs as a worker thread");
// A check builds a new program and type checker (20–40 ms of CPU here) and Run all queues one per
// cell: on a machine with few cores the checks took the cores the cells and the server needed.
// Linux's nice value is per thread and pid 0 is the calling thread: only this worker yields (elsewhere it would be the whole kernel).
if (process.platform === "linux") setPriority(19);
const service = new SessionLanguageService(String(workerData));

function answer(request: LanguageRequest): unknown {
  switch (request.op) {
    case "check":
      return service.check(request.code);
    case "commit":
      service.commit(request.code);
      return null;
    case "complete":
      return service.complete(request.code, request.cursor);
    case "inspect":
      return service.inspect(request.code, request.cursor);
  }
}

port.on("message", ({ id, request }: { id: number; request: LanguageRequest }) => {
  let response: LanguageResponse;
  try {
    response = { id, result: answer(request) };
  } catch (e: unknown) {
    response = { id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  port.postMessage(response);
});
// Loads the standard library's and Node's types now rather than on the first cell.
service.check("");
port.postMessage({ id: 0, result: null } satisfies LanguageResponse);
