/**
 * The kernel process: node --import tsx kernel/main.ts -f /path/to/connection.json
 * Process-level events (signals, uncaught errors) are handled here and nowhere else.
 */
import process from "node:process";
import { tuneFrameCollection } from "../analysis/frame-malloc.ts";
import { registerH5wasmLoadHook } from "../analysis/hdf5/h5wasm-load-hook.ts";
import { TypeScriptHandler } from "./handler/typescript-handler.ts";
import { log } from "./log.ts";
import { readConnectionFile } from "./protocol/connection.ts";
import { exitWithParent } from "../runtime/parent-watch.ts";
import { ZmqServer } from "./transport/zmq-server.ts";

function connectionFileArg(argv: string[]): string {
  const i = argv.findIndex((arg) => arg === "-f" || arg === "--connection-file");
  const inline = argv.find((arg) => arg.startsWith("--connection-file="));
  const path = i >= 0 ? argv[i + 1] : inline?.slice("--connection-file=".length);
  if (!path) {
    log("usage: node --import tsx kernel/main.ts -f CONNECTION_FILE");
    process.exit(2);
  }
  return path;
}

// Before any cell can import h5wasm (see the hook), and before frames fill the heap.
registerH5wasmLoadHook();
tuneFrameCollection();
const conn = await readConnectionFile(connectionFileArg(process.argv.slice(2))).catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(2);
});
let shuttingDown = false;
const terminate = () => void shutdown("SIGTERM");
// While a cell runs it may block JavaScript, and a SIGTERM listener that cannot run would make
// the process ignore SIGTERM; so during cells SIGTERM keeps its default effect and ends the process.
const handler = new TypeScriptHandler({
  onCellRunning: (running) => (running ? process.off("SIGTERM", terminate) : process.on("SIGTERM", terminate)),
});

async function shutdown(reason: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`shutting down (${reason})`);
  await server.close();
  process.exit(0);
}

// Set by Lightbook's server, whose kernels outlive its restarts: they end after this long without
// a heartbeat ping instead of with their parent process (heartbeat.ts).
const orphanGraceMs = Number(process.env.LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS) || undefined;
const server = new ZmqServer(conn, handler, {
  onShutdown: (restart) => void shutdown(restart ? "shutdown_request, restart" : "shutdown_request"),
  orphanGraceMs,
});
await server.start();

// interrupt_mode "signal": SIGINT stops a synchronous cell inside vm (breakOnSigint) and lands
// here otherwise, where it abandons the running cell; while idle it does nothing.
process.on("SIGINT", () => {
  if (!handler.interrupt()) log("SIGINT while idle: nothing to interrupt");
});
process.on("SIGTERM", terminate);
if (orphanGraceMs === undefined) exitWithParent(() => void shutdown("parent process gone"));
// A notebook's stray promise or callback error must not take the kernel and its state down.
process.on("unhandledRejection", (reason) => handler.reportUncaught("Unhandled promise rejection", reason));
process.on("uncaughtException", (error) => handler.reportUncaught("Uncaught exception", error));
handler.output.captureProcessStreams();
log(`started, pid ${process.pid}, ${conn.transport}://${conn.ip} shell ${conn.shell_port}`);
