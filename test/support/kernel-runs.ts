/** Running cells through @jupyterlab/services in integration tests. */
import type { Kernel, KernelMessage } from "@jupyterlab/services";

export interface Run {
  reply: KernelMessage.IExecuteReplyMsg["content"];
  iopub: KernelMessage.IIOPubMessage[];
}

/** Executes code and collects the iopub messages it caused, until its reply and idle. */
export async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<Run> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code, store_history: true });
  future.onIOPub = (msg) => void iopub.push(msg);
  const reply = await future.done;
  return { reply: reply.content, iopub };
}

export function streamText(run: Run): string {
  return run.iopub
    .filter((m) => m.header.msg_type === "stream")
    .map((m) => (m.content as { text: string }).text)
    .join("");
}

export function result(run: Run): unknown {
  const r = run.iopub.find((m) => m.header.msg_type === "execute_result");
  return r ? (r.content as { data: Record<string, unknown> }).data["text/plain"] : undefined;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
