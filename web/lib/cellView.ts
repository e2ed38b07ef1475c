// How a cell is shown, as JupyterLab keeps it in nbformat's cell metadata (so other tools see it too):
// `jupyter.outputs_hidden` / `jupyter.source_hidden`, and the older `collapsed` for outputs.

import { isJsonObject } from "../../contracts/json";
import type { JsonObject } from "../../contracts/notebook";
import type { Cell } from "./notebookModel";
import type { HeadingLevel } from "./commandKeys";

export type HiddenPart = "outputs" | "source";

export function isHidden(cell: Cell, part: HiddenPart): boolean {
  const jupyter = cell.metadata.jupyter;
  return isJsonObject(jupyter) && jupyter[`${part}_hidden`] === true;
}

/** The cell's metadata with `part` hidden or shown; keys are dropped when shown, as JupyterLab does. */
export function withHidden(cell: Cell, part: HiddenPart, hidden: boolean): JsonObject {
  const { [`${part}_hidden`]: _old, ...jupyter } = isJsonObject(cell.metadata.jupyter) ? cell.metadata.jupyter : {};
  const { jupyter: _jupyter, collapsed: _collapsed, ...rest } = cell.metadata;
  const next: JsonObject = { ...rest };
  if (hidden) jupyter[`${part}_hidden`] = true;
  if (Object.keys(jupyter).length > 0) next.jupyter = jupyter;
  if (part === "outputs" ? hidden : cell.metadata.collapsed === true) next.collapsed = true;
  return next;
}

/** JupyterLab's "1"–"6": the first line becomes a heading of that level, replacing any heading marks. */
export function asHeading(source: string, level: HeadingLevel): string {
  return `${"#".repeat(level)} ${source.replace(/^(#+\s*|\s*)/, "")}`;
}
