import type { Notebook } from "../../contracts/notebook.ts";

type Cell = Notebook["cells"][number];

/** A code cell of a demo notebook, not yet run. */
export function code(id: string, source: string | string[]): Cell {
  return { id, cell_type: "code", metadata: {}, source: Array.isArray(source) ? source.join("\n") : source, outputs: [], execution_count: null };
}

/** A markdown cell of a demo notebook. */
export function markdown(id: string, source: string | string[]): Cell {
  return { id, cell_type: "markdown", metadata: {}, source: Array.isArray(source) ? source.join("\n") : source };
}
