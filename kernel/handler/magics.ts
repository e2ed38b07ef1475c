/**
 * Cell magics: a first line starting with `%%` that asks for something other than plain running.
 *   %%strict   type errors stop the cell before it runs (without it they are reported on stderr
 *              and the JavaScript runs anyway, since valid JavaScript is never blocked by default)
 * The magic line is blanked rather than removed, so line numbers and cursor offsets stay put.
 */
export interface CellMagics {
  /** The cell with its magic line blanked. */
  code: string;
  strict: boolean;
}

const MAGIC_LINE = /^%%(\w+)[ \t]*(?=\n|$)/;

export class UnknownMagicError extends Error {
  override name = "UsageError";
}

export function cellMagics(code: string): CellMagics {
  const match = MAGIC_LINE.exec(code);
  if (!match) return { code, strict: false };
  if (match[1] !== "strict") throw new UnknownMagicError(`unknown cell magic %%${match[1]} (known: %%strict)`);
  return { code: " ".repeat(match[0].length) + code.slice(match[0].length), strict: true };
}
