/**
 * NeXus conventions for finding what to plot: the `default` attribute chain (file → NXentry →
 * NXdata), the NXdata `signal` and `axes` attributes, `AXIS_indices`, and `units`.
 * https://manual.nexusformat.org/datarules.html#find-the-plottable-data
 */
import { NotFoundError } from "../errors.ts";
import type { H5File } from "./file.ts";
import type { DType } from "./types.ts";

export interface NxField {
  name: string;
  path: string;
  shape: number[];
  dtype: DType;
  units?: string;
}

/** An axis of the signal; `dimension` is the signal dimension it labels. */
export interface NxAxis extends NxField {
  dimension: number;
}

export interface NxData {
  /** Path of the NXdata group. */
  path: string;
  signal: NxField;
  /** One entry per signal dimension; null where the file gives none ("."). */
  axes: (NxAxis | null)[];
  title?: string;
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string" && value.length === 1) return value[0];
  return undefined;
}

function join(group: string, name: string): string {
  return name.startsWith("/") ? name : group === "/" ? `/${name}` : `${group}/${name}`;
}

/** Children of `group` whose NX_class is `nxClass`, in file order. */
function childrenOfClass(file: H5File, group: string, nxClass: string): string[] {
  return file
    .keys(group)
    .map((k) => join(group, k))
    .filter((p) => {
      try {
        return str(file.attrs(p).NX_class) === nxClass;
      } catch {
        return false; // broken links and datasets without attributes are not NeXus groups
      }
    });
}

/** Path of the default NXdata group: follows `default` attributes, else the first NXentry's first NXdata. */
export function defaultNxDataPath(file: H5File): string {
  let path = "/";
  for (const nxClass of ["NXentry", "NXdata"]) {
    const named = str(file.attrs(path).default);
    const candidate = named !== undefined ? join(path, named) : childrenOfClass(file, path, nxClass)[0];
    if (candidate === undefined || !file.has(candidate))
      throw new NotFoundError(`no default ${nxClass} under ${path}`, { file: file.file, dataset: candidate ?? path });
    path = candidate;
    // An NXentry's `default` may already point at the NXdata we want: stop there.
    if (str(file.attrs(path).NX_class) === "NXdata") return path;
  }
  return path;
}

function field(file: H5File, group: string, name: string): NxField {
  const path = join(group, name);
  const ds = file.dataset(path);
  const units = str(ds.attrs().units);
  return { name, path, shape: ds.shape, dtype: ds.dtype, ...(units === undefined ? {} : { units }) };
}

/** The NXdata group at `path` (default: the file's default plot), with its signal and axes. */
export function nxData(file: H5File, path = defaultNxDataPath(file)): NxData {
  const attrs = file.attrs(path);
  const signalName = str(attrs.signal) ?? file.keys(path).find((k) => file.has(join(path, k)) && file.attrs(join(path, k)).signal !== undefined);
  if (signalName === undefined) throw new NotFoundError("NXdata has no signal attribute", { file: file.file, dataset: path });
  const signal = field(file, path, signalName);
  const axesAttr = attrs.axes;
  const names: string[] = Array.isArray(axesAttr) ? axesAttr.map(String) : typeof axesAttr === "string" ? axesAttr.split(/[:,\s]+/).filter(Boolean) : [];
  const axes: (NxAxis | null)[] = signal.shape.map(() => null);
  for (const [i, name] of names.entries()) {
    if (name === "." || !file.has(join(path, name))) continue;
    const indices = attrs[`${name}_indices`];
    const dimension = typeof indices === "number" ? indices : Array.isArray(indices) && typeof indices[0] === "number" ? indices[0] : i;
    if (dimension < axes.length) axes[dimension] = { ...field(file, path, name), dimension };
  }
  const title = str(attrs.title);
  return { path, signal, axes, ...(title === undefined ? {} : { title }) };
}
