/**
 * HDF5 files under the data root, opened with h5wasm. A path inside a file is resolved one link at
 * a time so that external links (an Eiger master's links to its data files) are followed by us,
 * through the data-root check, never by HDF5 itself. Virtual datasets, whose source files HDF5
 * opens itself, are read only when those files are in the data root.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { containedPath, dataRoot, inFolders, resolveDataPath } from "../data-root.ts";
import { DataRootError, Hdf5Error, NotFoundError, ParameterError } from "../errors.ts";
import { H5Dataset, type LocateStorage } from "./dataset.ts";
import { hdf5Reason } from "./hdf5-reason.ts";
import { type H5Module, h5module, h5wasm } from "./module.ts";
import { readAttrs } from "./attrs.ts";
import { datasetStorage, StorageFile } from "./storage.ts";
import type { Attrs, H5Node } from "./types.ts";

type RawFile = InstanceType<typeof h5wasm.File>;
type RawGroup = InstanceType<typeof h5wasm.Group>;
type RawDataset = InstanceType<typeof h5wasm.Dataset>;
/** An h5wasm object with attributes: group, dataset or named datatype. */
export type RawObject = Extract<NonNullable<ReturnType<RawFile["get"]>>, { attrs: unknown }>;

export interface OpenOptions {
  /** Data root to resolve against; defaults to LIGHTBOOK_DATA_ROOT. */
  root?: string;
  /** "r" read (default), "a" read and write, "w" create or truncate. */
  mode?: "r" | "a" | "w";
  /** The folders of the root the file must be in (a run's data; data-root.ts). */
  folders?: readonly string[];
}

/**
 * Opens `file` (a path relative to the data root). Reads happen lazily, chunk by chunk.
 * Close it with `close()` (or `using f = await openH5(…)`).
 */
export async function openH5(file: string, options: OpenOptions = {}): Promise<H5File> {
  const root = options.root === undefined ? dataRoot() : options.root;
  const mode = options.mode ?? "r";
  const absolute = resolveDataPath(file, { root, mustExist: mode !== "w", folders: options.folders });
  return new H5File(await h5module(), root, file, absolute, mode, options.folders);
}

/** What a path inside a file resolved to, possibly in a file reached through an external link. */
export interface Resolved {
  owner: H5File;
  path: string;
  kind: "group" | "dataset";
}

/**
 * What a path names: an object (in this file or one reached through external links), or, as its
 * last component, a link that leads nowhere — a browser shows such links (h5grove's soft_link and
 * external_link entities) where reads refuse them with `error`.
 */
export type Located = Resolved | { kind: "soft_link"; target: string; error: Error } | { kind: "external_link"; file: string; target: string; error: Error };

export class H5File {
  /** The linked files opened to follow external links, closed with this one. */
  readonly #linked = new Map<string, H5File>();
  /** Source files of virtual datasets opened to check them, by the name HDF5 opens them with. */
  readonly #sources = new Map<string, H5File>();
  readonly #raw: RawFile;
  readonly #module: H5Module;
  readonly #root: string;
  /** This file opened again for reads that bypass h5wasm (read-only files only), once needed. */
  #storageFile: StorageFile | undefined;

  /** @internal use {@link openH5}. */
  constructor(
    module: H5Module,
    root: string,
    /** The path as given, relative to the data root. */
    readonly file: string,
    /** Real absolute path. */
    readonly absolutePath: string,
    readonly mode: "r" | "a" | "w",
    /** The folders of the root that files reached through links must be in too (a run's data). */
    private readonly folders?: readonly string[],
  ) {
    this.#module = module;
    this.#root = root;
    try {
      this.#raw = new h5wasm.File(absolutePath, mode);
    } catch (e) {
      throw new Hdf5Error(`cannot open as HDF5: ${hdf5Reason(e)}`, { file }, { cause: e });
    }
  }

  /** The dataset at `datasetPath`, following soft and external links. */
  dataset(datasetPath: string): H5Dataset {
    const resolved = this.#resolve(datasetPath);
    if (resolved.kind !== "dataset") throw new ParameterError("this is a group, not a dataset", { file: this.file, dataset: datasetPath });
    resolved.owner.#checkVirtualSources(resolved.path, datasetPath, new Set());
    const raw = resolved.owner.#raw.get(resolved.path) as RawDataset;
    return new H5Dataset(raw, resolved.owner.file, resolved.path, datasetPath, resolved.owner.#locateStorage(resolved.path));
  }

  /** Whether `objectPath` names a group or dataset (links followed). */
  has(objectPath: string): boolean {
    try {
      this.#resolve(objectPath);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /** Attributes of the group or dataset at `objectPath`, as JSON-compatible values. */
  attrs(objectPath = "/"): Attrs {
    const resolved = this.#resolve(objectPath);
    return readAttrs(resolved.owner.#raw.get(resolved.path) as RawGroup | RawDataset);
  }

  /** Names of the members of the group at `groupPath`, in HDF5's order. */
  keys(groupPath = "/"): string[] {
    const resolved = this.#resolve(groupPath);
    if (resolved.kind !== "group") throw new ParameterError("this is a dataset, not a group", { file: this.file, dataset: groupPath });
    return (resolved.owner.#raw.get(resolved.path) as RawGroup).keys();
  }

  /**
   * Every entry under `groupPath` (default the whole file), depth first: groups, datasets with
   * shape/dtype/chunks/filters, attributes, and soft, hard and external links (not followed).
   */
  tree(groupPath = "/"): H5Node[] {
    const nodes: H5Node[] = [];
    const seen = new Map<string, string>();
    const visit = (groupName: string): void => {
      const group = this.#raw.get(groupName) as RawGroup;
      for (const name of group.keys()) {
        const full = groupName === "/" ? `/${name}` : `${groupName}/${name}`;
        const external = this.#externalLink(full, full);
        if (external) {
          nodes.push({ kind: "external-link", path: full, file: external.filename, target: external.obj_path });
          continue;
        }
        const soft = this.#module.get_symbolic_link(this.#raw.file_id, full) as string | null;
        if (soft !== null) {
          nodes.push({ kind: "soft-link", path: full, target: soft, broken: this.#module.get_type(this.#raw.file_id, full) === this.#module.H5G_LINK });
          continue;
        }
        const type = this.#module.get_type(this.#raw.file_id, full);
        const address = objectKey(this.#module.create_object_reference(this.#raw.file_id, full));
        const first = seen.get(address);
        if (first !== undefined) {
          nodes.push({ kind: "hard-link", path: full, target: first });
          continue;
        }
        seen.set(address, full);
        if (type === this.#module.H5G_GROUP) {
          nodes.push({ kind: "group", path: full, attrs: readAttrs(this.#raw.get(full) as RawGroup) });
          visit(full);
        } else if (type === this.#module.H5G_DATASET) {
          const ds = new H5Dataset(this.#raw.get(full) as RawDataset, this.file, full, full);
          nodes.push({ kind: "dataset", path: full, shape: ds.shape, dtype: ds.dtype, chunks: ds.chunks, filters: ds.filters, attrs: ds.attrs() });
        } else {
          nodes.push({ kind: "datatype", path: full });
        }
      }
    };
    const start = this.#resolve(groupPath);
    if (start.owner !== this || start.kind !== "group") throw new ParameterError("tree() lists groups of this file", { file: this.file, dataset: groupPath });
    visit(start.path);
    return nodes;
  }

  /** The raw h5wasm file, for writing (see write.ts). */
  get raw(): RawFile {
    return this.#raw;
  }

  /** Closes this file and the files opened through its external links. */
  close(): void {
    for (const linked of [...this.#linked.values(), ...this.#sources.values()]) linked.close();
    this.#linked.clear();
    this.#sources.clear();
    this.#storageFile?.close();
    this.#storageFile = undefined;
    this.#raw.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Where the dataset at `objectPath` keeps its bytes, found from its object header's address (what
   * an object reference holds). Only for read-only files: a writer's data may still be in HDF5's cache.
   */
  #locateStorage(objectPath: string): LocateStorage | undefined {
    if (this.mode !== "r") return undefined;
    return (shape, elementBytes) => {
      this.#storageFile ??= new StorageFile(this.absolutePath);
      const address = Buffer.from(this.#module.create_object_reference(this.#raw.file_id, objectPath)).readBigUInt64LE(0);
      const storage = datasetStorage(this.#storageFile, Number(address), shape, elementBytes);
      return storage && { file: this.#storageFile, storage };
    };
  }

  /**
   * The external link at `objectPath`, undefined for other objects; NotFoundError when nothing is
   * there. Asked before anything that would make HDF5 itself follow the link (get_type does).
   */
  #externalLink(objectPath: string, requested: string): { filename: string; obj_path: string } | undefined {
    let link: { filename?: string; obj_path?: string };
    try {
      link = this.#module.get_external_link(this.#raw.file_id, objectPath);
    } catch (e) {
      throw new NotFoundError("no such group or dataset", { file: this.file, dataset: requested }, { cause: e });
    }
    return typeof link.filename === "string" && typeof link.obj_path === "string" ? { filename: link.filename, obj_path: link.obj_path } : undefined;
  }

  /**
   * Walks `objectPath` one component at a time, crossing external links into linked files (which
   * must be under the data root). A broken soft or external link is returned when it is the last
   * component and refused anywhere else.
   */
  locate(objectPath: string): Located {
    const parts = objectPath.split("/").filter((p) => p !== "" && p !== ".");
    let current = "";
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      current = `${current}/${part}`;
      const external = this.#externalLink(current, objectPath);
      if (external) {
        let linked: H5File;
        try {
          linked = this.#linkedFile(external.filename, current);
        } catch (e) {
          if (last && (e instanceof NotFoundError || e instanceof DataRootError))
            return { kind: "external_link", file: external.filename, target: external.obj_path, error: e };
          throw e;
        }
        return linked.locate(`${external.obj_path}/${parts.slice(i + 1).join("/")}`);
      }
      const type = this.#module.get_type(this.#raw.file_id, current);
      if (type === this.#module.H5G_LINK) {
        const error = new NotFoundError(`soft link ${current} points to a missing object`, { file: this.file, dataset: objectPath });
        if (!last) throw error;
        return { kind: "soft_link", target: this.#module.get_symbolic_link(this.#raw.file_id, current) as string, error };
      }
      if (type < 0) throw new NotFoundError("no such group or dataset", { file: this.file, dataset: objectPath });
      if (type === this.#module.H5G_DATASET) {
        if (!last) throw new NotFoundError(`${current} is a dataset, not a group`, { file: this.file, dataset: objectPath });
        return { owner: this, path: current, kind: "dataset" };
      }
    }
    return { owner: this, path: current === "" ? "/" : current, kind: "group" };
  }

  /** The h5wasm object at a located path (for what the library's values do not carry, e.g. HDF5 types). */
  static rawObject(located: Resolved): RawObject {
    return located.owner.#raw.get(located.path) as RawObject;
  }

  /** {@link locate}, refusing links that lead nowhere. */
  #resolve(objectPath: string): Resolved {
    const located = this.locate(objectPath);
    if (located.kind === "soft_link" || located.kind === "external_link") throw located.error;
    return located;
  }

  /**
   * Refuses the virtual dataset at `objectPath` (nothing to do for other datasets) when HDF5, which
   * opens a virtual dataset's source files itself and by name when it is read, would open one
   * outside the data root, or look for a missing one elsewhere (its working folder). Each source is
   * checked where HDF5 finds it, its dataset must be reached without external links (HDF5 would
   * follow those itself too), and sources that are virtual in turn are checked the same way.
   */
  #checkVirtualSources(objectPath: string, requested: string, seen: Set<string>): void {
    const sources = (this.#raw.get(objectPath) as RawDataset).metadata.virtual_sources;
    const key = `${this.absolutePath}\0${objectPath}`;
    if (!sources || seen.has(key)) return;
    seen.add(key);
    for (const { file_name: fileName, dset_name: datasetName } of sources) {
      // "." is the virtual dataset's own file (H5Pset_virtual).
      const source = fileName === "." ? this : this.#virtualSourceFile(fileName, requested);
      const context = { file: this.file, dataset: requested };
      let located: Located;
      try {
        located = source.locate(datasetName);
      } catch (e) {
        // Missing, HDF5 would read fill values, unless the path goes through a link it would follow: refused alike.
        if (e instanceof NotFoundError)
          throw new NotFoundError(`virtual dataset ${requested} takes data from ${datasetName} in ${fileName}, which does not exist`, context, { cause: e });
        throw e;
      }
      if (located.kind === "external_link" || (located.kind !== "soft_link" && located.owner !== source)) {
        throw new DataRootError(
          `virtual dataset ${requested} takes data from ${datasetName} in ${fileName}, which is reached through an external link; not followed`,
          context,
        );
      }
      if (located.kind === "dataset") source.#checkVirtualSources(located.path, requested, seen);
    }
  }

  /**
   * The source file `fileName` of a virtual dataset in this file, opened (once) after checking it
   * as HDF5 finds it (H5F_prefix_open_file): an absolute name as it is, a relative one in this
   * file's folder, joined as text and resolved by the operating system, as HDF5 hands it over.
   */
  #virtualSourceFile(fileName: string, requested: string): H5File {
    const context = { file: this.file, dataset: requested };
    // printf-style names (%b: one file per block) stand for files not listed anywhere.
    if (fileName.includes("%"))
      throw new DataRootError(`virtual dataset ${requested} names its source files by a pattern (${fileName}); not followed`, context);
    const opened = path.isAbsolute(fileName) ? fileName : `${path.dirname(this.absolutePath)}/${fileName}`;
    const open = this.#sources.get(opened);
    if (open) return open;
    let real: string;
    try {
      real = realpathSync.native(opened);
    } catch (e) {
      throw new NotFoundError(`virtual dataset ${requested} takes data from a missing file ${fileName} (HDF5 would look for it elsewhere)`, context, {
        cause: e,
      });
    }
    let shownAs: string;
    try {
      shownAs = path.relative(this.#root, containedPath(this.#root, real, fileName, true));
    } catch (e) {
      if (e instanceof DataRootError)
        throw new DataRootError(`virtual dataset ${requested} takes data from ${fileName}, outside the data root`, context, { cause: e });
      throw e;
    }
    this.#withinFolders(shownAs, `virtual dataset ${requested} takes data from ${fileName}`, context);
    const source = new H5File(this.#module, this.#root, shownAs, opened, "r", this.folders);
    this.#sources.set(opened, source);
    return source;
  }

  /** A file reached through a link must be in the run's folders too, as the file itself is. */
  #withinFolders(relative: string, what: string, context: { file: string; dataset: string }): void {
    if (this.folders && !inFolders(relative.split(path.sep).join("/"), this.folders))
      throw new DataRootError(`${what} leads outside the data folders this file was opened for`, context);
  }

  /** Opens (once) the file an external link names, resolved like HDF5 does: relative to this file's folder. */
  #linkedFile(filename: string, linkPath: string): H5File {
    const target = path.resolve(path.dirname(this.absolutePath), filename);
    const open = this.#linked.get(target);
    if (open) return open;
    const shownAs = path.relative(this.#root, target);
    let real: string;
    try {
      real = containedPath(this.#root, target, shownAs, true);
    } catch (e) {
      if (e instanceof NotFoundError)
        throw new NotFoundError(`external link ${linkPath} names a missing file ${filename}`, { file: this.file, dataset: linkPath }, { cause: e });
      if (e instanceof DataRootError)
        throw new DataRootError(`external link ${linkPath} leads outside the data root (${filename})`, { file: this.file, dataset: linkPath }, { cause: e });
      throw e;
    }
    this.#withinFolders(path.relative(this.#root, real), `external link ${linkPath} (${filename})`, { file: this.file, dataset: linkPath });
    const linked = new H5File(this.#module, this.#root, shownAs, real, "r", this.folders);
    this.#linked.set(target, linked);
    return linked;
  }
}

/** An object reference holds the object's address: equal bytes, same object. */
function objectKey(reference: Uint8Array): string {
  return Buffer.from(reference).toString("hex");
}
