import { isJsonObject } from "./json.ts";

/**
 * A three-way merge of nbformat v4 notebooks by cell id (issue 11, "notebook revisions"): what
 * one side changed since the common base wins over the other side's unchanged copy. Each cell is
 * compared per field group, so a runner writing one cell's outputs never collides with someone
 * editing another cell's source, nor with an edit of the same cell's source.
 */

/** What a cell holds, in groups that change independently. */
export type CellField = "source" | "outputs" | "metadata";
/** How both sides changed the same thing: a field of one cell, a deletion against a change, the order, the notebook's own metadata. */
export type ConflictWhat = CellField | "deleted" | "added" | "order" | "notebook";

export interface MergeConflict {
  /** The cell both sides changed; null for notebook-level changes (order, metadata, cells without ids). */
  cell_id: string | null;
  what: ConflictWhat[];
}

/** The parts of a notebook the merge reads; any nbformat v4 notebook (joined or not) is one. */
export interface MergeableNotebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: readonly MergeableCell[];
}
type MergeableCell = { id?: string | undefined; cell_type: string; source: string | string[] } & Record<string, unknown>;

export interface MergeResult<N extends MergeableNotebook> {
  /** The merge; where both sides changed one thing, ours. */
  merged: N;
  conflicts: MergeConflict[];
}

/** nbformat lets text be a string or a list of lines: compared as the text they spell. */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    const joinable = (key === "source" || key === "text") && Array.isArray(v) && v.every((s) => typeof s === "string");
    out[key] = joinable ? (v as string[]).join("") : key === "data" && isJsonObject(v) ? joinedBundle(v) : normalized(v);
  }
  return out;
}

function joinedBundle(bundle: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(bundle).sort()) {
    const v = bundle[key];
    const isJson = key === "application/json" || key.endsWith("+json");
    out[key] = !isJson && Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]).join("") : normalized(v);
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalized(a)) === JSON.stringify(normalized(b));
}

/** The keys of each field group; whatever else a cell carries (its type, attachments) goes with its source. */
function groupOf(key: string): CellField | null {
  if (key === "id") return null;
  if (key === "outputs" || key === "execution_count") return "outputs";
  if (key === "metadata") return "metadata";
  return "source";
}

function fieldGroup(cell: MergeableCell, group: CellField): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cell)) if (groupOf(key) === group) out[key] = value;
  return out;
}

const GROUPS: readonly CellField[] = ["source", "outputs", "metadata"];

/** One side's change wins; both changing it the same way is no conflict. */
function pick<T>(base: T, ours: T, theirs: T): { value: T; conflict: boolean } {
  if (same(ours, base) || same(ours, theirs)) return { value: theirs, conflict: false };
  if (same(theirs, base)) return { value: ours, conflict: false };
  return { value: ours, conflict: true };
}

function mergeCell(base: MergeableCell, ours: MergeableCell, theirs: MergeableCell): { cell: MergeableCell; conflicts: CellField[] } {
  let cell: Record<string, unknown> = { id: ours.id };
  const conflicts: CellField[] = [];
  for (const group of GROUPS) {
    const { value, conflict } = pick(fieldGroup(base, group), fieldGroup(ours, group), fieldGroup(theirs, group));
    if (conflict) conflicts.push(group);
    cell = { ...cell, ...value };
  }
  // A code cell turned markdown on one side drops its outputs: keep only what its type allows.
  if (cell.cell_type !== "code") {
    delete cell.outputs;
    delete cell.execution_count;
  } else {
    cell.outputs ??= [];
    cell.execution_count ??= null;
    delete cell.attachments;
  }
  return { cell: cell as MergeableCell, conflicts };
}

/** Whether the cells both sides kept from the base still stand in the base's order. */
function keptOrder(base: readonly string[], side: readonly string[]): boolean {
  const inSide = new Set(side);
  const inBase = new Set(base);
  const a = base.filter((id) => inSide.has(id));
  const b = side.filter((id) => inBase.has(id));
  return a.every((id, i) => b[i] === id);
}

/** `primary`'s order, with the cells only `secondary` has placed after the cell they follow there. */
function interleave(primary: readonly string[], secondary: readonly string[], keep: (id: string) => boolean): string[] {
  const order = primary.filter(keep);
  const placed = new Set(order);
  let after: string | null = null;
  for (const id of secondary) {
    if (!keep(id)) continue;
    if (!placed.has(id)) {
      order.splice(after === null ? 0 : order.indexOf(after) + 1, 0, id);
      placed.add(id);
    }
    after = id;
  }
  return order;
}

function ids(nb: MergeableNotebook): string[] | null {
  const list = nb.cells.map((c) => c.id);
  return list.every((id): id is string => typeof id === "string") && new Set(list).size === list.length ? list : null;
}

/**
 * Merges `ours` (what is being saved) and `theirs` (the head) from their common `base`.
 * Notebooks whose cells lack unique ids (nbformat < 4.5) merge only when one side left the cells untouched.
 */
export function mergeNotebooks<N extends MergeableNotebook>(base: MergeableNotebook, ours: N, theirs: N): MergeResult<N> {
  const conflicts: MergeConflict[] = [];
  const meta = pick(base.metadata, ours.metadata, theirs.metadata);
  if (meta.conflict) conflicts.push({ cell_id: null, what: ["notebook"] });
  const top = { ...ours, metadata: meta.value, nbformat_minor: Math.max(ours.nbformat_minor, theirs.nbformat_minor) };

  const [baseIds, ourIds, theirIds] = [ids(base), ids(ours), ids(theirs)];
  if (!baseIds || !ourIds || !theirIds) {
    const cells = pick(base.cells, ours.cells, theirs.cells);
    if (cells.conflict) conflicts.push({ cell_id: null, what: ["notebook"] });
    return { merged: { ...top, cells: cells.value } as N, conflicts };
  }

  const byId = (nb: MergeableNotebook) => new Map(nb.cells.map((c) => [c.id!, c]));
  const [b, o, t] = [byId(base), byId(ours), byId(theirs)];
  const result = new Map<string, MergeableCell>();
  for (const id of new Set([...ourIds, ...theirIds, ...baseIds])) {
    const [bc, oc, tc] = [b.get(id), o.get(id), t.get(id)];
    if (!bc) {
      // New on one side, or on both with the same id (a copy of one save): the same cell, or a conflict.
      if (oc && tc && !same(oc, tc)) conflicts.push({ cell_id: id, what: ["added"] });
      result.set(id, (oc ?? tc)!);
      continue;
    }
    if (!oc || !tc) {
      // Deleted on one side: gone, unless the other side changed it meanwhile.
      const kept = oc ?? tc;
      if (kept && !same(kept, bc)) {
        conflicts.push({ cell_id: id, what: ["deleted", ...GROUPS.filter((g) => !same(fieldGroup(kept, g), fieldGroup(bc, g)))] });
        if (oc) result.set(id, oc);
      }
      continue;
    }
    const { cell, conflicts: fields } = mergeCell(bc, oc, tc);
    if (fields.length > 0) conflicts.push({ cell_id: id, what: fields });
    result.set(id, cell);
  }

  const ourMoved = !keptOrder(baseIds, ourIds);
  const theirMoved = !keptOrder(baseIds, theirIds);
  if (ourMoved && theirMoved && !keptOrder(ourIds, theirIds)) conflicts.push({ cell_id: null, what: ["order"] });
  const [primary, secondary] = theirMoved && !ourMoved ? [theirIds, ourIds] : [ourIds, theirIds];
  const order = interleave(primary, secondary, (id) => result.has(id));
  return { merged: { ...top, cells: order.map((id) => result.get(id)!) } as N, conflicts };
}

/** Whether two notebooks hold the same cells and metadata (text as strings or lists of lines alike). */
export function sameNotebook(a: MergeableNotebook, b: MergeableNotebook): boolean {
  return same(a, b);
}

/**
 * Whether two notebooks differ at most in their code cells' outputs and execution counts: a page
 * whose saves leave outputs to the server (contracts/executions.ts) shows its own live outputs,
 * and need not reload for the server's copy of them.
 */
export function sameButOutputs(a: MergeableNotebook, b: MergeableNotebook): boolean {
  return same(withoutOutputs(a), withoutOutputs(b));
}

function withoutOutputs(nb: MergeableNotebook): MergeableNotebook {
  return { ...nb, cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null } : c)) };
}
