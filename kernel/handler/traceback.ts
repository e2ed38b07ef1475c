/**
 * Errors as Jupyter `error` content (ename, evalue, traceback), with stack frames pointing at the
 * user's cell lines and the kernel's own frames removed.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#execution-errors
 */
import { fileURLToPath } from "node:url";
import type { ErrorContent } from "../protocol/messages.ts";
import { plainText } from "./mime-bundle.ts";
import { KeyboardInterrupt } from "./evaluate.ts";
import { CellSyntaxError, type Position } from "./transform.ts";

interface CellSource {
  lines: string[];
  /** Script position (from a stack frame) → position in the cell. */
  cellPosition(at: Position): Position;
}

const identity = (at: Position): Position => at;

/** Source of every evaluated cell by its script filename (e.g. `<cell-3>`), for tracebacks. */
export class CellSources {
  readonly #cells = new Map<string, CellSource>();

  add(filename: string, code: string, cellPosition: (at: Position) => Position = identity): void {
    this.#cells.set(filename, { lines: code.split("\n"), cellPosition });
  }

  get(filename: string): CellSource | undefined {
    return this.#cells.get(filename);
  }
}

const KERNEL_DIR = fileURLToPath(new URL("..", import.meta.url));
const FRAME_LOCATION = /(<[\w.-]+>):(\d+):(\d+)/;

/** The traceback's "Name: message" line, its name in bold red as IPython colours it (front ends render ANSI). */
export function headerLine(ename: string, evalue: string, separator = ": "): string {
  return `\u001b[1;31m${ename}\u001b[0m${separator}${evalue}`;
}

/** A thrown value that is not an Error, e.g. `throw 'oops'`. */
const NON_ERROR_NAME = "Uncaught";

/** The kernel's own code, Node internals and the module loader (tsx) are not the user's business. */
function isKernelFrame(line: string): boolean {
  return line.includes(KERNEL_DIR) || line.includes("node:vm") || line.includes("node:internal/") || line.includes("/node_modules/tsx/");
}

interface CellLocation {
  filename: string;
  line: number;
  column: number;
  /** The line after the cell's last: the script's epilogue, i.e. the kernel calling the cell. */
  epilogue: boolean;
}

/** Where in a cell a stack frame points. */
function cellLocation(sources: CellSources, frame: string): CellLocation | undefined {
  const match = FRAME_LOCATION.exec(frame);
  const filename = match?.[1];
  const cell = filename === undefined ? undefined : sources.get(filename);
  if (!match || filename === undefined || !cell) return undefined;
  const scriptLine = Number(match[2]);
  if (scriptLine > cell.lines.length) return { filename, line: scriptLine, column: 1, epilogue: true };
  const { line, column } = cell.cellPosition({ line: scriptLine, column: Number(match[3]) });
  return { filename, line, column, epilogue: false };
}

/** "<cell-3>:2:7", the source line, and a caret under the column. */
function excerpt(sources: CellSources, { filename, line, column }: Omit<CellLocation, "epilogue">): string[] {
  const text = sources.get(filename)?.lines[line - 1];
  const where = `${filename}:${line}:${column}`;
  return text === undefined ? [where] : [where, text, `${" ".repeat(Math.max(column - 1, 0))}^`, ""];
}

export function errorContent(error: unknown, sources: CellSources, filename?: string): ErrorContent {
  if (error instanceof CellSyntaxError && filename !== undefined) {
    const evalue = `${error.message} (${error.line}:${error.column})`;
    const source = excerpt(sources, { filename, line: error.line, column: error.column });
    return { ename: "SyntaxError", evalue, traceback: [...source, headerLine("SyntaxError", evalue)] };
  }
  if (!(error instanceof Error)) {
    const evalue = plainText(error);
    return { ename: NON_ERROR_NAME, evalue, traceback: [headerLine(NON_ERROR_NAME, evalue, " ")] };
  }
  const ename = error.name || error.constructor.name;
  const evalue = error.message;
  // Made where the kernel learnt of the interrupt (a control message, a signal): no frame is the user's.
  if (error instanceof KeyboardInterrupt) return { ename, evalue, traceback: [headerLine(ename, evalue)] };
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  // Frames below the last cell frame are the kernel calling the cell.
  const lastCellFrame = frames.findLastIndex((frame) => cellLocation(sources, frame) !== undefined);
  const located = (lastCellFrame >= 0 ? frames.slice(0, lastCellFrame + 1) : frames)
    .filter((frame) => !isKernelFrame(frame))
    .map((frame) => ({ frame, at: cellLocation(sources, frame) }))
    .filter(({ at }) => !at?.epilogue);
  const userFrames = located.map(({ frame, at }) => (at ? frame.replace(FRAME_LOCATION, `${at.filename}:${at.line}:${at.column}`) : frame));
  const firstCellFrame = located.find(({ at }) => at !== undefined)?.at;
  const source = firstCellFrame ? excerpt(sources, firstCellFrame) : [];
  return { ename, evalue, traceback: [...source, headerLine(ename, evalue), ...userFrames] };
}
