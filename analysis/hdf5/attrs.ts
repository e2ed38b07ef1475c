/** Attributes of a group or dataset as plain values (strings, numbers, arrays). */
import type { h5wasm } from "./module.ts";
import type { Attrs } from "./types.ts";

type HasAttrs = InstanceType<typeof h5wasm.Group> | InstanceType<typeof h5wasm.Dataset>;

export function readAttrs(object: HasAttrs): Attrs {
  const attrs: Attrs = {};
  for (const [name, attribute] of Object.entries(object.attrs)) {
    try {
      attrs[name] = attribute.json_value;
    } catch {
      // Types h5wasm cannot decode (e.g. some compound attributes) are listed, not fatal.
      attrs[name] = `<unreadable ${JSON.stringify(attribute.dtype)}>`;
    }
  }
  return attrs;
}
