/** Stored notebooks and the server-side runner (server/notebooks/) over REST, for tests and benchmarks. */
import { cellExecutionsResponse, type CellExecution } from "../../contracts/executions.ts";
import { parseNotebook, type Notebook } from "../../contracts/notebook.ts";
import type { RunningServer } from "./server.ts";
import { api } from "./workflow.ts";

export interface CellSpec {
  id: string;
  source: string;
  cell_type?: "code" | "markdown";
}

export function notebookOf(cells: CellSpec[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "lightbook-ts", display_name: "TypeScript (Lightbook)" } },
    cells: cells.map(({ id, source, cell_type = "code" }) =>
      cell_type === "code" ? { id, cell_type, source, metadata: {}, outputs: [], execution_count: null } : { id, cell_type, source, metadata: {} },
    ),
  };
}

function contentsUrl(path: string): string {
  return `/api/contents/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export function notebookUrl(path: string, rest: string): string {
  return `/api/lightbook/notebooks/${path.split("/").map(encodeURIComponent).join("/")}/${rest}`;
}

/** PUT a notebook; `headers` as a page or a plain Jupyter client sends them. */
export async function putNotebook(server: RunningServer, path: string, notebook: Notebook, headers: Record<string, string> = {}): Promise<void> {
  const r = await api(server, "PUT", contentsUrl(path), { type: "notebook", format: "json", content: notebook }, headers);
  if (r.status !== 200 && r.status !== 201) throw new Error(`PUT ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
}

export async function storedNotebook(server: RunningServer, path: string): Promise<Notebook> {
  const r = await api<{ content: unknown }>(server, "GET", contentsUrl(path));
  if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
  return parseNotebook(r.body.content);
}

/** The stored code cell with this id. */
export function codeCell(notebook: Notebook, id: string): Extract<Notebook["cells"][number], { cell_type: "code" }> {
  const cell = notebook.cells.find((c) => c.id === id);
  if (cell?.cell_type !== "code") throw new Error(`no code cell ${id}`);
  return cell;
}

/** POST …/executions; its status and body. */
export function runCells(
  server: RunningServer,
  path: string,
  body: unknown,
): Promise<{ status: number; body: { executions?: CellExecution[]; message?: string } }> {
  return api(server, "POST", notebookUrl(path, "executions"), body);
}

/** GET …/executions?wait=: the notebook's executions once none is queued or running. */
export async function executionsWhenSettled(server: RunningServer, path: string, waitMs = 60_000): Promise<CellExecution[]> {
  const r = await api(server, "GET", `${notebookUrl(path, "executions")}?wait=${waitMs}`);
  if (r.status !== 200) throw new Error(`GET executions of ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return cellExecutionsResponse.parse(r.body).executions;
}

/** A stored output's text (a stream's, or text/plain of a result). */
export function outputText(output: Extract<Notebook["cells"][number], { cell_type: "code" }>["outputs"][number]): string {
  const join = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v));
  if (output.output_type === "stream") return join(output.text);
  if (output.output_type === "error") return `${output.ename}: ${output.evalue}`;
  return join(output.data["text/plain"]);
}
