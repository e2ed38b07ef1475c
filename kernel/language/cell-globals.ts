/**
 * What the language service knows of the globals the kernel gives cells (display, update, …):
 * their types, taken from the interfaces the kernel's own modules export, so there is one source.
 */
import { fileURLToPath } from 'node:url';

/** Each module, the interface it exports that types its cell globals, and those globals' names. */
const CELL_GLOBALS: readonly { module: string; type: string; names: readonly string[] }[] = [
  { module: '../handler/display.ts', type: 'DisplayGlobals', names: ['display', 'update'] },
];

export function cellGlobalsDeclaration(): string {
  return CELL_GLOBALS.flatMap(({ module, type, names }) => {
    const path = JSON.stringify(fileURLToPath(new URL(module, import.meta.url)));
    return names.map((name) => `declare var ${name}: import(${path}).${type}['${name}'];`);
  }).join('\n');
}
