/**
 * h5grove's `selection` query parameter: numpy basic indexing as text, one member per dimension
 * separated by commas (`0,:,:`, `1:5,::2`, `-1`), parsed like h5grove's `parse_slice` and resolved
 * against a shape like numpy does (negative indices count from the end, slices are clamped).
 */
import type { Selection } from "../../analysis/hdf5/dataset.ts";

export type SelectionMember = { kind: "index"; index: number } | { kind: "slice"; start: number | null; stop: number | null; step: number | null };

/** A selection h5grove would refuse (400 at the API). */
export class SelectionError extends Error {}

const INTEGER = /^-?\d+$/;

function integer(text: string, member: string): number {
  if (!INTEGER.test(text)) throw new SelectionError(`"${member}" is not an index or a start:stop:step slice`);
  return Number(text);
}

function optionalInteger(text: string, member: string): number | null {
  return text === "" ? null : integer(text, member);
}

export function parseSelection(text: string): SelectionMember[] {
  return text.split(",").map((raw): SelectionMember => {
    const member = raw.trim();
    const parts = member.split(":").map((p) => p.trim());
    if (parts.length === 1) return { kind: "index", index: integer(parts[0]!, member) };
    if (parts.length > 3) throw new SelectionError(`"${member}" is not a valid slice`);
    const step = parts.length === 3 ? optionalInteger(parts[2]!, member) : null;
    if (step !== null && step < 1) throw new SelectionError(`"${member}": the step must be at least 1`);
    return { kind: "slice", start: optionalInteger(parts[0]!, member), stop: optionalInteger(parts[1]!, member), step };
  });
}

/** A selection resolved against a shape: what to read (a box, for the analysis library) and how to thin it. */
export interface ResolvedSelection {
  /** The bounding box to read: one index per indexed dimension, a [start, end) range per sliced one. */
  box: Selection;
  /** Per dimension of the result: take every step-th element of the box. */
  steps: number[];
  /** Shape of the result (indexed dimensions dropped). */
  shape: number[];
}

export function resolveSelection(members: SelectionMember[], shape: number[]): ResolvedSelection {
  if (members.length > shape.length) throw new SelectionError(`the selection has ${members.length} members, the dataset ${shape.length} dimensions`);
  const box: Selection = [];
  const steps: number[] = [];
  const out: number[] = [];
  for (const [dim, size] of shape.entries()) {
    const m = members[dim] ?? { kind: "slice", start: null, stop: null, step: null };
    if (m.kind === "index") {
      if (m.index < -size || m.index >= size) throw new SelectionError(`index ${m.index} is out of range for dimension ${dim} of size ${size}`);
      box.push(m.index < 0 ? m.index + size : m.index);
      continue;
    }
    const clamp = (v: number | null, fallback: number) => (v === null ? fallback : Math.min(Math.max(v < 0 ? v + size : v, 0), size));
    const start = clamp(m.start, 0);
    const stop = clamp(m.stop, size);
    const step = m.step ?? 1;
    const length = stop > start ? Math.ceil((stop - start) / step) : 0;
    // An empty range is kept as [start, start]: the caller reads nothing then.
    box.push([start, length === 0 ? start : start + (length - 1) * step + 1]);
    steps.push(step);
    out.push(length);
  }
  return { box, steps, shape: out };
}
