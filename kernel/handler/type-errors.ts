/**
 * Type errors of a cell as the user sees them: each with its cell line, the source line and a caret.
 */
import type { ErrorContent } from "../protocol/messages.ts";
import type { CellDiagnostic } from "../language/session-service.ts";
import { headerLine } from "./traceback.ts";

export function typeErrorLines(diagnostics: readonly CellDiagnostic[], filename: string, code: string): string[] {
  const lines = code.split("\n");
  return diagnostics.flatMap(({ line, column, code: tsCode, message }) => [
    `${filename}:${line}:${column} - error TS${tsCode}: ${message}`,
    `    ${lines[line - 1] ?? ""}`,
    `    ${" ".repeat(column - 1)}^`,
  ]);
}

/** The stderr note of a cell that ran despite type errors. */
export function typeErrorWarning(diagnostics: readonly CellDiagnostic[], filename: string, code: string): string {
  const count = diagnostics.length === 1 ? "1 type error" : `${diagnostics.length} type errors`;
  return [
    `TypeScript: ${count} (the cell ran as JavaScript; start a cell with %%strict to stop on type errors)`,
    ...typeErrorLines(diagnostics, filename, code),
    "",
  ].join("\n");
}

/** The error of a %%strict cell that did not run. */
export class TypeCheckError extends Error {
  override name = "TypeScriptError";

  constructor(
    readonly diagnostics: readonly CellDiagnostic[],
    readonly filename: string,
    readonly code: string,
  ) {
    const first = diagnostics[0];
    super(first ? `${first.message} (${first.line}:${first.column})` : "type errors");
  }

  content(): ErrorContent {
    const more = this.diagnostics.length > 1 ? ` (and ${this.diagnostics.length - 1} more)` : "";
    return {
      ename: this.name,
      evalue: this.message + more,
      traceback: [...typeErrorLines(this.diagnostics, this.filename, this.code), headerLine(this.name, "the cell did not run (%%strict)")],
    };
  }
}
