import { z } from "./zod.ts";

/**
 * The server-side notebook runner (server/notebooks/): executions of a stored notebook's cells,
 * keyed by cell id, whether they were asked for through its API or sent over the kernel WebSocket
 * with `metadata.cellId` (as JupyterLab sends it). The runner writes their outputs into the stored
 * notebook.
 */

/** Cells one request may run. */
export const MAX_CELLS_PER_REQUEST = 10_000;

const cellIds = z.array(z.string().min(1).max(64)).min(1).max(MAX_CELLS_PER_REQUEST);

/**
 * Body of POST /api/lightbook/notebooks/{path}/executions (which cells to run, in this order) and
 * of POST …/outputs/clear (whose outputs to clear): some cells by id, or every code cell.
 */
export const cellSelection = z.union([z.strictObject({ cell_ids: cellIds }), z.strictObject({ all: z.literal(true) })], {
  error: 'expected {"cell_ids": [...]} or {"all": true}',
});
export type CellSelection = z.infer<typeof cellSelection>;

/** queued: sent to the kernel; running: the kernel started it; done: ended, and its outputs are stored. */
export const cellExecutionState = z.enum(["queued", "running", "done"]);

export const cellExecution = z.object({
  /** msg_id of the execute_request. */
  id: z.string(),
  cell_id: z.string(),
  state: cellExecutionState,
  /** The execute_reply's status once it came: aborted when an earlier cell failed (stop_on_error) or the kernel restarted or died. */
  status: z.enum(["ok", "error", "aborted"]).nullable(),
  execution_count: z.number().int().nullable(),
  /** api: POST …/executions; kernel: an execute_request over the kernel's WebSocket. */
  origin: z.enum(["api", "kernel"]),
  /** ISO 8601 times. */
  queued: z.string(),
  started: z.string().nullable(),
  ended: z.string().nullable(),
});
export type CellExecution = z.infer<typeof cellExecution>;

/** 202 answer of POST …/executions (what was queued) and GET …/executions (the notebook's recent executions, oldest first). */
export const cellExecutionsResponse = z.object({ executions: z.array(cellExecution) });
export type CellExecutionsResponse = z.infer<typeof cellExecutionsResponse>;

/** Query of GET …/executions: `wait` answers as soon as none is queued or running, or after this many ms. */
export const cellExecutionsQuery = z.object({ wait: z.coerce.number().int().min(0).max(60_000).optional() });

/**
 * Sent with a page's saves (PUT /api/contents/{path}): the server keeps the stored outputs and
 * execution count of every cell it has, since its runner writes them, and ignores the page's.
 * Clients that do not send it (JupyterLab, scripts) store what they send.
 */
export const OUTPUTS_HEADER = "X-Lightbook-Outputs";
export const OUTPUTS_HEADER_SERVER = "server";
