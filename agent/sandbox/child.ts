/**
 * The program of a sandbox child process (sandbox-process.ts starts it): compiles one shipped
 * function, then runs it on the items the agent sends and sends back each result or error.
 *
 * It runs as plain JavaScript from `--eval` (sandbox-process.ts strips its types), not through the
 * tsx loader: under Node's permission model the child may read only the data root and its scratch
 * folder, and tsx needs the project's files and a child process of its own. So it imports Node's
 * built-in modules and the contracts' types, nothing else.
 *
 * The function runs in this process's own realm: everything it could reach (`process`, built-in
 * modules) is this process's, which holds no credentials and may not leave its sandbox.
 */
import vm from "node:vm";
import type { FromSandbox, ToSandbox } from "../../contracts/sandbox.ts";

type ShippedFunction = (item: unknown, params: Record<string, unknown>, ctx: { dataRoot: string; signal: AbortSignal }) => unknown;

process.title = "lightbook-sandbox";
let fn: ShippedFunction | undefined;
// Never aborted from here: a cancelled task's child is killed instead.
let ctx = { dataRoot: "", signal: new AbortController().signal };

const send = (m: FromSandbox) => process.send!(m);

/** Thrown values from the function, as the agent reports them (`name: message` and the stack). */
function thrown(id: number | undefined, e: unknown): FromSandbox {
  if (typeof e === "object" && e !== null && typeof (e as Error).message === "string") {
    const err = e as Error;
    return {
      kind: "error",
      id,
      name: typeof err.name === "string" ? err.name : "Error",
      message: err.message,
      ...(typeof err.stack === "string" ? { stack: err.stack } : {}),
    };
  }
  return { kind: "error", id, name: "Error", message: typeof e === "string" ? e : `the function threw a non-error value: ${String(e)}` };
}

async function handle(m: ToSandbox): Promise<void> {
  if (m.kind === "init") {
    let compiled: unknown;
    try {
      compiled = vm.runInThisContext(`(${m.source})`, { filename: "workflow-function.js" });
    } catch (e: unknown) {
      send({ kind: "error", name: "SourceFunctionError", message: `the function's source does not compile: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    if (typeof compiled !== "function") {
      send({ kind: "error", name: "SourceFunctionError", message: "the source is not a function expression" });
      return;
    }
    fn = compiled as ShippedFunction;
    ctx = { dataRoot: m.dataRoot, signal: ctx.signal };
    send({ kind: "ready" });
    return;
  }
  let value: unknown;
  try {
    // Every call: the previous task's folder is gone (process.cwd() would throw).
    process.chdir(m.cwd);
    value = await fn!(m.item, m.params, ctx);
  } catch (e: unknown) {
    send(thrown(m.id, e));
    return;
  }
  try {
    send({ kind: "result", id: m.id, value });
  } catch (e: unknown) {
    // Functions, symbols and the like cannot be cloned (DataCloneError).
    send({
      kind: "error",
      id: m.id,
      name: "ResultError",
      message: `the function's result cannot be sent back to the agent: ${e instanceof Error ? e.message : String(e)}`,
    });
  }
}

process.on("message", (m: ToSandbox) => void handle(m));
// The agent closed the channel (it stopped): nothing more to do.
process.on("disconnect", () => process.exit(0));
