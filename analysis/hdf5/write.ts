/**
 * Results written back as NeXus: an NXprocess group recording the program, its version, the date
 * and the parameters used (an NXparameters group), with the results as NXdata beside them.
 */
import { ParameterError } from "../errors.ts";
import type { H5File } from "./file.ts";
import type { NumericArray } from "./types.ts";

/** A parameter value as stored: numbers and number arrays as float64, strings, booleans as 0/1, anything else as JSON. */
export type ParameterValue = number | string | boolean | number[] | Record<string, unknown>;

export interface ResultArray {
  data: NumericArray | number[];
  shape?: number[];
  units?: string;
}

export interface NxProcessOptions {
  /** Group name under the entry, e.g. "integrate". */
  name: string;
  program: string;
  version: string;
  parameters: Record<string, ParameterValue>;
  /** Result arrays, written to `<name>/data`; the first one is the NXdata signal unless `signal` says otherwise. */
  results?: Record<string, ResultArray>;
  signal?: string;
  /** Names of result arrays that are the signal's axes, in dimension order. */
  axes?: string[];
  /** Parent NXentry (default /entry, created if missing). */
  entry?: string;
  date?: Date;
}

type RawGroup = ReturnType<H5File["raw"]["create_group"]>;

/** Creates group `name` under `parent` (an h5wasm group or file) with its NX_class and other string attributes. */
export function createNxGroup(parent: RawGroup, name: string, nxClass: string, attrs: Record<string, string | string[]> = {}): RawGroup {
  const group = parent.create_group(name);
  group.create_attribute("NX_class", nxClass);
  for (const [key, value] of Object.entries(attrs)) group.create_attribute(key, value);
  return group;
}

function writeValue(group: RawGroup, name: string, value: ParameterValue): void {
  if (typeof value === "number") group.create_dataset({ name, data: new Float64Array([value]), shape: [] });
  else if (typeof value === "string") group.create_dataset({ name, data: value });
  else if (typeof value === "boolean") group.create_dataset({ name, data: new Int8Array([value ? 1 : 0]), shape: [] });
  else if (Array.isArray(value)) group.create_dataset({ name, data: Float64Array.from(value) });
  else group.create_dataset({ name, data: JSON.stringify(value) });
}

/** Writes an NXprocess group; returns its path. The file must be open with mode "a" or "w". */
export function writeNxProcess(file: H5File, options: NxProcessOptions): string {
  if (file.mode === "r") throw new ParameterError("open the file with mode 'a' or 'w' to write results", { file: file.file, parameter: "mode" });
  const entryPath = options.entry ?? "/entry";
  const raw = file.raw;
  if (!file.has(entryPath)) createNxGroup(raw, entryPath.replace(/^\//, ""), "NXentry");
  const path = `${entryPath}/${options.name}`;
  if (file.has(path)) throw new ParameterError("a group of this name already exists", { file: file.file, dataset: path, parameter: "name" });
  const entry = raw.get(entryPath) as RawGroup;
  const process = createNxGroup(entry, options.name, "NXprocess");
  process.create_dataset({ name: "program", data: options.program });
  process.create_dataset({ name: "version", data: options.version });
  process.create_dataset({ name: "date", data: (options.date ?? new Date()).toISOString() });
  const parameters = createNxGroup(process, "parameters", "NXparameters");
  for (const [name, value] of Object.entries(options.parameters)) writeValue(parameters, name, value);
  const results = Object.entries(options.results ?? {});
  if (results.length > 0) {
    const data = createNxGroup(process, "data", "NXdata", { signal: options.signal ?? results[0]![0] });
    if (options.axes) data.create_attribute("axes", options.axes);
    for (const [name, r] of results) {
      const values = Array.isArray(r.data) ? Float64Array.from(r.data) : r.data;
      const ds = data.create_dataset({ name, data: values, shape: r.shape ?? [values.length] });
      if (r.units) ds.create_attribute("units", r.units);
    }
  }
  raw.flush();
  return path;
}
