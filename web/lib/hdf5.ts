// HDF5/NeXus files read in the browser with h5wasm: the one module the data browser's components
// use to reach a file (an H5Web-style provider: entities by path, values by slice).
// H5Web itself (@h5web/app 17) needs React 18 (@react-three/fiber 8), and this app runs React 19.

import type { Dataset, Entity, Group } from 'h5wasm';

export interface H5Attribute {
  name: string;
  value: string;
}

interface EntityBase {
  path: string;
  name: string;
  attrs: H5Attribute[];
}

export type H5Entity =
  | (EntityBase & { kind: 'group'; children: string[] })
  | (EntityBase & { kind: 'dataset'; shape: number[]; dtype: string })
  | (EntityBase & { kind: 'other' });

/** One 2-D image of a dataset, as numbers, row-major. */
export interface Frame {
  width: number;
  height: number;
  values: ArrayLike<number>;
  min: number;
  max: number;
}

type H5wasm = (typeof import('h5wasm'))['default'];

let loading: Promise<H5wasm> | null = null;

/** h5wasm is large (its WebAssembly is inlined); it loads when the first file is opened. */
function h5wasmModule(): Promise<H5wasm> {
  loading ??= import('h5wasm').then(async ({ default: h5wasm }) => {
    await h5wasm.ready;
    return h5wasm;
  });
  return loading;
}

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

function attributeText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** h5wasm names numeric types with Python struct codes: "<I" uint32, "<f" float32, "<d" float64, … */
function isNumeric(dtype: unknown): boolean {
  return typeof dtype === 'string' && /^[<>|=!]?[bBhHiIlLqQefd]$/.test(dtype);
}

let opened = 0;

export class Hdf5File {
  private constructor(
    private readonly h5wasm: H5wasm,
    private readonly file: InstanceType<H5wasm['File']>,
    private readonly fsName: string,
  ) {}

  /** Opens the file's bytes from memory (the browser has no file system for h5wasm otherwise). */
  static async open(bytes: ArrayBuffer): Promise<Hdf5File> {
    const h5wasm = await h5wasmModule();
    const { FS } = await h5wasm.ready;
    const fsName = `/lightbook-${++opened}.h5`;
    FS.writeFile(fsName, new Uint8Array(bytes));
    return new Hdf5File(h5wasm, new h5wasm.File(fsName, 'r'), fsName);
  }

  private get(path: string): Entity | null {
    return path === '/' ? this.file : this.file.get(path);
  }

  private isGroup(entity: Entity | null): entity is Group {
    return entity instanceof this.h5wasm.Group;
  }

  private isDataset(entity: Entity | null): entity is Dataset {
    return entity instanceof this.h5wasm.Dataset;
  }

  entity(path: string): H5Entity {
    const found = this.get(path);
    const name = baseName(path);
    if (!this.isGroup(found) && !this.isDataset(found)) return { kind: 'other', path, name, attrs: [] };
    const attrs = Object.entries(found.attrs).map(([attrName, attr]) => ({ name: attrName, value: attributeText(attr.json_value) }));
    if (this.isGroup(found)) return { kind: 'group', path, name, attrs, children: found.keys().map((k) => childPath(path, k)) };
    return { kind: 'dataset', path, name, attrs, shape: found.shape ?? [], dtype: attributeText(found.dtype) };
  }

  /** Whether `frame` can show this dataset: numeric, at least 2-D. */
  isImage(path: string): boolean {
    const found = this.get(path);
    return this.isDataset(found) && isNumeric(found.dtype) && (found.shape?.length ?? 0) >= 2;
  }

  /** How many frames the leading dimension holds (1 for a 2-D image). */
  frameCount(path: string): number {
    const found = this.get(path);
    const shape = this.isDataset(found) ? (found.shape ?? []) : [];
    return shape.length > 2 ? shape[0]! : 1;
  }

  /** Frame `index` of an image stack: only that slice is read (leading dimensions past the first at 0). */
  frame(path: string, index: number): Frame {
    const found = this.get(path);
    if (!this.isDataset(found) || !this.isImage(path)) throw new Error(`${path} is not a numeric image dataset`);
    const shape = found.shape ?? [];
    const height = shape[shape.length - 2]!;
    const width = shape[shape.length - 1]!;
    const lead = shape.slice(0, -2).map((_, i): [number, number] => (i === 0 ? [index, index + 1] : [0, 1]));
    const raw = found.slice([...lead, [], []]);
    if (raw === null || typeof raw !== 'object' || !('length' in raw) || typeof raw.length !== 'number') throw new Error(`${path}: unexpected data`);
    const values = Array.isArray(raw) ? raw.map(Number) : Float64Array.from(raw as ArrayLike<number | bigint>, Number);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { width, height, values, min, max };
  }

  /** The NeXus default plot: follow `default` attributes from the root to an NXdata and its `signal`. */
  defaultPlot(): string | null {
    let path = '/';
    for (let depth = 0; depth < 8; depth++) {
      const group = this.get(path);
      if (!this.isGroup(group)) return null;
      const attrs = group.attrs;
      const signal = attrs.signal?.json_value;
      if (typeof signal === 'string') return childPath(path, signal);
      const next = attrs.default?.json_value;
      if (typeof next !== 'string') return null;
      path = childPath(path, next);
    }
    return null;
  }

  close(): void {
    this.file.close();
    void this.h5wasm.ready.then(({ FS }) => FS.unlink(this.fsName));
  }
}
