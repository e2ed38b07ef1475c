/**
 * Where an entity of a file lives, for its metadata: h5grove describes objects by their HDF5 type
 * and attribute types, which the analysis library's values do not carry, so the entity is found in
 * h5wasm's objects. Valid links are resolved as h5grove does; external links are crossed one file at
 * a time through `openH5`, so a link out of the data root is refused like any path.
 */
import path from "node:path";
import { DataRootError, NotFoundError } from "../../kernel/analysis/errors.ts";
import { type H5File, openH5 } from "../../kernel/analysis/hdf5/file.ts";

type RawEntity = ReturnType<H5File["raw"]["get"]>;
export type RawObject = Extract<NonNullable<RawEntity>, { attrs: unknown }>;

export type Located =
  | { kind: "object"; object: RawObject }
  /** A soft link to nothing. */
  | { kind: "soft_link"; target: string }
  /** An external link to a file that is not there, or outside the data root: shown, not followed. */
  | { kind: "external_link"; file: string; target: string };

/** The file asked for and the files its external links led to, closed together. */
export class LinkedFiles {
  readonly #opened = new Map<string, H5File>();

  constructor(
    readonly root: string,
    readonly top: H5File,
  ) {}

  /** The entity at `objectPath`, following soft links (HDF5) and external links (through the data root). */
  async locate(objectPath: string): Promise<Located> {
    const parts = objectPath.split("/").filter((p) => p !== "" && p !== ".");
    const notFound = () => new NotFoundError(`${objectPath} is not a valid path in ${this.top.file}`);
    let file = this.top;
    let current = "";
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const next = `${current}/${part}`;
      let link: { filename?: string; obj_path?: string };
      try {
        link = file.raw.get_external_link(next);
      } catch {
        throw notFound();
      }
      if (typeof link.filename === "string" && typeof link.obj_path === "string") {
        try {
          file = await this.#open(file, link.filename);
        } catch (e: unknown) {
          if ((e instanceof NotFoundError || e instanceof DataRootError) && last) return { kind: "external_link", file: link.filename, target: link.obj_path };
          throw e;
        }
        current = link.obj_path === "/" ? "" : link.obj_path;
        continue;
      }
      // Not an external link: HDF5 may resolve it (soft links stay inside the file).
      const entity = file.raw.get(next);
      if (entity === null) throw notFound();
      if ("target" in entity && "type" in entity && entity.type === "BrokenSoftLink") {
        if (last) return { kind: "soft_link", target: entity.target };
        throw notFound();
      }
      current = next;
    }
    const object = file.raw.get(current === "" ? "/" : current);
    if (object === null || !("attrs" in object)) throw notFound();
    return { kind: "object", object };
  }

  close(): void {
    for (const file of this.#opened.values()) file.close();
    this.#opened.clear();
    this.top.close();
  }

  /** The file an external link names, relative to the linking file's folder as HDF5 resolves it. */
  async #open(from: H5File, filename: string): Promise<H5File> {
    const relative = path.relative(this.root, path.resolve(path.dirname(from.absolutePath), filename));
    const open = this.#opened.get(relative);
    if (open) return open;
    const file = await openH5(relative, { root: this.root });
    this.#opened.set(relative, file);
    return file;
  }
}
