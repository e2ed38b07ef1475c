/**
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+); JavaScript strings and
 * the TypeScript language service count UTF-16 units.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#cursor-pos-and-unicode-offsets
 */
export function utf16Offset(code: string, codePoints: number): number {
  return Array.from(code).slice(0, codePoints).join("").length;
}

export function codePointOffset(code: string, utf16: number): number {
  return Array.from(code.slice(0, utf16)).length;
}
