import { z } from "./zod.ts";

/**
 * The server's output journal of a kernel (server/kernels/output-journal.ts), as the browser reads
 * it from GET /api/lightbook/kernels/{id}/executions: what each execution printed, kept whether or
 * not a page was attached, so a page opened later replays it.
 */

/** A Jupyter message header (https://jupyter-client.readthedocs.io/en/latest/messaging.html#message-header). */
export const messageHeader = z.object({
  msg_id: z.string(),
  msg_type: z.string(),
  session: z.string(),
  username: z.string(),
  /** ISO 8601 timestamp. */
  date: z.string(),
  version: z.string(),
  /** Kernel subshells (JEP 91); absent or null means the main shell. */
  subshell_id: z.string().nullable().optional(),
});

/** One output-bearing iopub message, its content as the kernel sent it. */
export const journalMessage = z.object({
  msg_id: z.string(),
  msg_type: z.string(),
  date: z.string(),
  content: z.unknown(),
});
export type JournalMessage = z.infer<typeof journalMessage>;

export const recordedExecution = z.object({
  /** msg_id of the execute_request. */
  request_id: z.string(),
  /** The client session that sent it: while that client is attached, it saves the outputs. */
  session: z.string(),
  /** As the kernel echoed it in execute_input: how a client finds the cell. */
  code: z.string(),
  execution_count: z.number().int().nullable(),
  state: z.enum(["running", "done"]),
  started: z.string().nullable(),
  ended: z.string().nullable(),
  messages: z.array(journalMessage),
  /**
   * The last iopub message of this execution that the journal has seen (of any type). A client
   * that was listening before it fetched the journal skips its own copies up to this one.
   */
  last_msg_id: z.string(),
  /** The execute_request's `metadata.cellId` (JupyterLab sends it), and the path of the notebook whose session held the kernel. */
  cell_id: z.string().nullable(),
  notebook_path: z.string().nullable(),
  /** The `input()` prompt the execution waits on, so a page opened meanwhile can answer it (its header is the reply's parent). */
  input: z.object({ header: messageHeader, prompt: z.string(), password: z.boolean() }).nullable(),
});
export type RecordedExecution = z.infer<typeof recordedExecution>;

/** GET /api/lightbook/kernels/{id}/executions: each entry says whether the client that ran it is still attached (it then saves the outputs). */
export const executionsResponse = z.object({
  executions: z.array(recordedExecution.extend({ requester_attached: z.boolean() })),
});
export type ExecutionsResponse = z.infer<typeof executionsResponse>;
