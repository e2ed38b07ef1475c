/**
 * What the language service knows of the globals the kernel gives cells (display, input, comms,
 * workflow, …): their types, taken from the types the kernel's own modules export, so there is
 * one source.
 */
import { fileURLToPath } from "node:url";

/** Each global, the module exporting its type, and that type (an expression on the module's exports). */
const CELL_GLOBALS: readonly { name: string; module: string; type: string }[] = [
  { name: "display", module: "../handler/display.ts", type: "DisplayGlobals['display']" },
  { name: "update", module: "../handler/display.ts", type: "DisplayGlobals['update']" },
  { name: "clearOutput", module: "../handler/display.ts", type: "DisplayGlobals['clearOutput']" },
  { name: "comms", module: "../handler/comms.ts", type: "CommGlobals['comms']" },
  { name: "input", module: "../handler/stdin.ts", type: "StdinGlobals['input']" },
  { name: "workflow", module: "../workflow/map.ts", type: "Workflow" },
  { name: "frames", module: "../workflow/map.ts", type: "Workflow['frames']" },
  { name: "files", module: "../workflow/map.ts", type: "Workflow['files']" },
];

/** `shadowed`: names the session's cells declare themselves (a cell may have its own `frames`). */
export function cellGlobalsDeclaration(shadowed: ReadonlySet<string> = new Set()): string {
  return CELL_GLOBALS.filter(({ name }) => !shadowed.has(name))
    .map(({ name, module, type }) => {
      const path = JSON.stringify(fileURLToPath(new URL(module, import.meta.url)));
      return `declare var ${name}: import(${path}).${type};`;
    })
    .join("\n");
}
