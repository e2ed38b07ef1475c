import type { Notebook } from "../../contracts/notebook.ts";

/**
 * A page's save when the server keeps outputs (contracts/executions.ts, OUTPUTS_HEADER): the page's
 * cells, with the stored outputs and execution count of every code cell the store has by id. The
 * runner wrote those; the page's copy may be older (or newer only on screen: it shows iopub live).
 */
export function keepStoredOutputs(stored: Notebook, incoming: Notebook): Notebook {
  const kept = new Map<string, Extract<Notebook["cells"][number], { cell_type: "code" }>>();
  for (const c of stored.cells) if (c.cell_type === "code" && c.id !== undefined) kept.set(c.id, c);
  return {
    ...incoming,
    cells: incoming.cells.map((c) => {
      const s = c.cell_type === "code" && c.id !== undefined ? kept.get(c.id) : undefined;
      return s && c.cell_type === "code" ? { ...c, outputs: s.outputs, execution_count: s.execution_count } : c;
    }),
  };
}
