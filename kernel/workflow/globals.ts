/**
 * What cells see of the workflow API: `workflow` (map, run, follow, range, frames, files,
 * agents) and the input helpers `frames` and `files` as globals, like `display`.
 */
import type { RunsClient } from "./client.ts";
import { Workflow, type Display } from "./map.ts";

export interface WorkflowGlobalsDeps {
  display: Display;
  cellSignal: () => AbortSignal | undefined;
}

export function installWorkflowGlobals(deps: WorkflowGlobalsDeps): Workflow {
  let runsClient: RunsClient | undefined;
  // Loaded at the first use: the client's contracts (zod) add about 9 MiB to a kernel's RSS at
  // start (measured importing typescript-handler.ts), and many sessions never submit a run.
  const client = async () => (runsClient ??= (await import("./client.ts")).RunsClient.fromEnv());
  const workflow = new Workflow({ client, display: deps.display, cellSignal: deps.cellSignal });
  const globals = {
    workflow,
    frames: workflow.frames.bind(workflow),
    files: workflow.files.bind(workflow),
  };
  // Writable and configurable: a cell may define its own.
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
  return workflow;
}
