/**
 * h5grove's `/meta/` answers, from h5wasm's objects as the library locates them: h5grove describes
 * objects by their HDF5 type and attribute types, which the library's values do not carry.
 */
import { H5File, type RawObject } from "../../analysis/hdf5/file.ts";
import { type GroveAttribute, type GroveEntity, groveType } from "./types.ts";

function entityName(objectPath: string): string {
  return objectPath.split("/").filter(Boolean).at(-1) ?? "";
}

/** Attributes by name, as h5grove sorts them. */
function attributes(object: RawObject): GroveAttribute[] {
  return Object.entries(object.attrs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, attribute]) => ({ name, shape: attribute.shape, type: groveType(attribute.metadata) }));
}

function describe(name: string, object: RawObject): GroveEntity {
  if ("filters" in object) {
    const { metadata } = object;
    const filters = object.filters.map((f) => ({ id: f.id, name: f.name }));
    return {
      kind: "dataset",
      name,
      attributes: attributes(object),
      shape: metadata.shape,
      type: groveType(metadata),
      chunks: metadata.chunks,
      filters: filters.length > 0 ? filters : null,
    };
  }
  if ("metadata" in object) return { kind: "datatype", name, attributes: attributes(object), type: groveType(object.metadata) };
  return { kind: "group", name, attributes: attributes(object) };
}

/** The entity at `objectPath`; a group comes with its children, one level deep (h5grove's depth 1). */
export function entityMeta(h5: H5File, objectPath: string, withChildren = true): GroveEntity {
  const name = entityName(objectPath);
  const located = h5.locate(objectPath);
  if (located.kind === "soft_link") return { kind: "soft_link", name, target_path: located.target };
  if (located.kind === "external_link") return { kind: "external_link", name, target_file: located.file, target_path: located.target };
  const object = H5File.rawObject(located);
  const entity = describe(name, object);
  if (entity.kind !== "group" || !withChildren) return entity;
  const base = objectPath === "/" ? "" : objectPath.replace(/\/+$/, "");
  const keys = "keys" in object ? object.keys() : [];
  return { ...entity, children: keys.map((key) => entityMeta(h5, `${base}/${key}`, false)) };
}
