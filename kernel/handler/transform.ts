/**
 * Turns a TypeScript cell into a script for `vm.runInThisContext` that keeps the cell's line
 * numbers, so stack traces point at the user's lines:
 *
 *   line 1:  var <top-level names>; (async (imports) => { <import bindings> <user line 1>
 *   line n:  <user line n>
 *   last:    })(<the cell's imported modules>);
 *
 * Top-level declarations become assignments to those script-level `var`s, which are properties of
 * the global object: later cells see them and may declare them again. Imports are loaded before
 * the script runs (as ES modules load theirs first), so a cell's synchronous code runs entirely
 * inside runInThisContext, where SIGINT can interrupt it. The last expression statement's value is
 * returned as `{ value }`.
 *
 * Sucrase strips types keeping lines; our edits stay on their lines too. Columns move, so both
 * steps are mapped back (sucrase's source map, and the origin of each character we write).
 */
import { parse, type Declaration, type Node, type Pattern, type Program } from "acorn";
import { recursive } from "acorn-walk";
import { SourceMap, type SourceMapPayload } from "node:module";
import { transform } from "sucrase";

/** Global slot holding what the cell about to run is called with (CellArguments). */
export const CELL_IMPORTS = Symbol.for("lightbook.cellImports");

/**
 * The imported module namespaces, and what every await of the cell's own code passes its value
 * through when the cell resumes: it throws if the cell was interrupted meanwhile, so an interrupt
 * while the cell awaits stops it there (as ipykernel cancels an awaiting cell's task) instead of
 * leaving the rest of the cell to run later, unseen, and perhaps hold the kernel.
 */
export type CellArguments = [modules: unknown[], resumed: <T>(value: T) => T];

const IMPORTS_PARAM = "__lightbookImports";
const RESUMED_PARAM = "__lightbookResumed";

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export interface TransformedCell {
  script: string;
  /** Specifiers the cell imports, in order; their namespaces go in `globalThis[CELL_IMPORTS]`. */
  imports: string[];
  /** Where a position in the script (from a stack frame) is in the cell. */
  cellPosition(at: Position): Position;
}

/** A cell that does not parse. `line` and `column` are 1-based, in the cell's own text. */
export class CellSyntaxError extends SyntaxError {
  override name = "SyntaxError";

  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The code ended where more was expected (an unclosed bracket, template or comment). */
    readonly atEndOfInput: boolean,
  ) {
    super(message);
  }
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface ParseError extends Error {
  pos: number;
  loc: { line: number; column: number };
}

function isParseError(e: unknown): e is ParseError {
  return e instanceof Error && typeof (e as Partial<ParseError>).pos === "number" && "loc" in e;
}

/** Both parsers append " (line:column)" to their messages; the position is reported separately. */
function syntaxError(e: ParseError, at: Position, atEnd: boolean): CellSyntaxError {
  const message = e.message.replace(/ \(\d+:\d+\)$/, "");
  return new CellSyntaxError(message, at.line, at.column, atEnd || /^Unterminated/.test(message));
}

/** Names bound by a declaration pattern, e.g. `{a, b: [c, ...d]}` → a, c, d. */
function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case "Identifier":
      return [pattern.name];
    case "ObjectPattern":
      return pattern.properties.flatMap((p) => patternNames(p.type === "RestElement" ? p : p.value));
    case "ArrayPattern":
      return pattern.elements.flatMap((e) => (e ? patternNames(e) : []));
    case "RestElement":
      return patternNames(pattern.argument);
    case "AssignmentPattern":
      return patternNames(pattern.left);
    case "MemberExpression":
      return [];
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Positions in sucrase's output → positions in the cell, through sucrase's source map. */
function typeStrippingMap(sourceMap: SourceMapPayload): (line0: number, column0: number) => Position {
  const map = new SourceMap(sourceMap);
  return (line0, column0) => {
    const entry = map.findEntry(line0, column0);
    if (!("originalLine" in entry) || entry.generatedLine !== line0) return { line: line0 + 1, column: column0 + 1 };
    return { line: entry.originalLine + 1, column: entry.originalColumn + (column0 - entry.generatedColumn) + 1 };
  };
}

export function transformCell(cellCode: string): TransformedCell {
  let code: string;
  let toCell: (line0: number, column0: number) => Position;
  try {
    // keepUnusedImports: an import unused in its own cell is still meant for the cells after it.
    const result = transform(cellCode, {
      transforms: ["typescript"],
      keepUnusedImports: true,
      disableESTransforms: true,
      filePath: "cell.ts",
      sourceMapOptions: { compiledFilename: "cell.js" },
    });
    code = result.code;
    toCell = typeStrippingMap(result.sourceMap as SourceMapPayload);
  } catch (e: unknown) {
    if (!isParseError(e)) throw e;
    // Sucrase's columns are already 1-based.
    throw syntaxError(e, { line: e.loc.line, column: e.loc.column }, e.pos >= cellCode.trimEnd().length);
  }
  let program: Program;
  try {
    program = parse(code, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true, locations: true });
  } catch (e: unknown) {
    if (!isParseError(e)) throw e;
    throw syntaxError(e, toCell(e.loc.line - 1, e.loc.column), e.pos >= code.trimEnd().length);
  }

  const { names, imports, prologueStatements, edits } = rewriteTopLevel(program, code);
  const declared = names.size > 0 ? `var ${[...names].join(", ")}; ` : "";
  const prologue = `${declared}(async (${IMPORTS_PARAM}, ${RESUMED_PARAM}) => { ${prologueStatements.join(" ")}`;
  const epilogue = `\n})(...globalThis[Symbol.for(${JSON.stringify(CELL_IMPORTS.description)})]);`;
  const body = applyEdits(code, edits);
  const script = prologue + body.text + epilogue;

  // Where each script character came from in `code`: the prologue maps to the start.
  const origins = [...new Array<number>(prologue.length).fill(0), ...body.origins];
  const scriptLines = lineStarts(script);
  const codeLines = lineStarts(code);
  const cellPosition = ({ line, column }: Position): Position => {
    const offset = (scriptLines[line - 1] ?? script.length) + column - 1;
    const codeOffset = origins[offset] ?? code.length;
    const line0 = Math.max(
      codeLines.findLastIndex((start) => start <= codeOffset),
      0,
    );
    return toCell(line0, codeOffset - (codeLines[line0] ?? 0));
  };
  return { script, imports, cellPosition };
}

interface TopLevelRewrite {
  /** Every name the cell declares at top level; they become script-level `var`s. */
  names: Set<string>;
  imports: string[];
  /** Import bindings and function globals, run before the cell's first line. */
  prologueStatements: string[];
  edits: Edit[];
}

function rewriteTopLevel(program: Program, code: string): TopLevelRewrite {
  const names = new Set<string>();
  const imports: string[] = [];
  const importBindings: string[] = [];
  const functionGlobals: string[] = [];
  const edits: Edit[] = [];
  const insert = (at: number, text: string) => edits.push({ start: at, end: at, text });

  for (const statement of program.body) {
    let node: Program["body"][number] | Declaration = statement;
    if (statement.type === "ExportNamedDeclaration" && statement.declaration) {
      // `export` means nothing in a cell; the declaration stays.
      const { start } = statement.declaration;
      edits.push({ start: statement.start, end: start, text: " ".repeat(start - statement.start) });
      node = statement.declaration;
    } else if (statement.type.startsWith("Export")) {
      throw unsupported(code, statement, "this export form");
    }

    if (node.type === "ImportDeclaration") {
      const index = imports.push(String(node.source.value)) - 1;
      const namespace = `${IMPORTS_PARAM}[${index}]`;
      const destructured: string[] = [];
      for (const spec of node.specifiers) {
        names.add(spec.local.name);
        if (spec.type === "ImportNamespaceSpecifier") importBindings.push(`${spec.local.name} = ${namespace};`);
        else if (spec.type === "ImportDefaultSpecifier") destructured.push(`default: ${spec.local.name}`);
        else destructured.push(`${code.slice(spec.imported.start, spec.imported.end)}: ${spec.local.name}`);
      }
      if (destructured.length > 0) importBindings.push(`({ ${destructured.join(", ")} } = ${namespace});`);
      // Blanked, keeping its newlines so the lines after it stay put.
      edits.push({ start: node.start, end: node.end, text: code.slice(node.start, node.end).replace(/[^\n]/g, "") });
    } else if (node.type === "VariableDeclaration") {
      const { kind } = node;
      if (kind !== "var" && kind !== "let" && kind !== "const") continue; // `using` stays cell-local
      edits.push({ start: node.start, end: node.start + kind.length, text: " ".repeat(kind.length) });
      for (const declarator of node.declarations) {
        for (const name of patternNames(declarator.id)) names.add(name);
        if (declarator.init) {
          // Parenthesized so that `{a} = obj` is not read as a block.
          insert(declarator.id.start, "(");
          insert(declarator.end, ")");
        } else if (kind !== "var") {
          // A re-run `let x;` starts from undefined again; a bare `var x;` keeps the value, as in JS.
          insert(declarator.end, " = void 0");
        }
      }
    } else if (node.type === "FunctionDeclaration" && node.id) {
      names.add(node.id.name);
      // The declaration stays, hoisted inside the cell; the global gets it before any line runs.
      functionGlobals.push(`globalThis.${node.id.name} = ${node.id.name};`);
    } else if (node.type === "ClassDeclaration" && node.id) {
      names.add(node.id.name);
      insert(node.start, `${node.id.name} = `);
      // Without it a class statement followed by a line starting with `(` would parse as a call.
      insert(node.end, ";");
    }
  }

  const last = program.body.at(-1);
  if (last?.type === "ExpressionStatement") {
    // The statement, not its expression: `({a: 1})` starts at its parenthesis.
    insert(last.start, "return { value: (");
    insert(code[last.end - 1] === ";" ? last.end - 1 : last.end, ") }");
  }
  guardAwaits(program, edits);
  return { names, imports, prologueStatements: [...importBindings, ...functionGlobals], edits };
}

/**
 * `await x` → `__lightbookResumed(await x)`, and a check at the top of each `for await` body, for
 * the cell's own awaits only (functions it defines run as they were written). The closing
 * parentheses go first among the insertions at their position, the opening ones last, so that
 * they nest inside the other edits' parentheses (`(a = …)`, `return { value: (…) }`).
 */
function guardAwaits(program: Program, edits: Edit[]): void {
  recursive(program, undefined, {
    Function() {},
    AwaitExpression(node, state, walk) {
      edits.push({ start: node.start, end: node.start, text: `${RESUMED_PARAM}(` });
      edits.unshift({ start: node.end, end: node.end, text: ")" });
      walk(node.argument, state);
    },
    ForOfStatement(node, state, walk) {
      if (node.await) {
        edits.push({ start: node.body.start, end: node.body.start, text: `{ ${RESUMED_PARAM}(); ` });
        edits.unshift({ start: node.body.end, end: node.body.end, text: " }" });
      }
      walk(node.left, state);
      walk(node.right, state);
      walk(node.body, state);
    },
  });
}

function unsupported(code: string, node: Node, what: string): CellSyntaxError {
  const before = code.slice(0, node.start).split("\n");
  return new CellSyntaxError(`${what} is not supported in a cell`, before.length, (before.at(-1)?.length ?? 0) + 1, false);
}

/** Applies non-overlapping edits; `origins[i]` is the offset in `code` that output character i came from. */
function applyEdits(code: string, edits: Edit[]): { text: string; origins: number[] } {
  // Stable sort: two insertions at one position keep the order in which they were made.
  const sorted = edits.map((edit, i) => ({ edit, i })).sort((a, b) => a.edit.start - b.edit.start || a.i - b.i);
  let text = "";
  const origins: number[] = [];
  let at = 0;
  const copy = (end: number) => {
    for (let i = at; i < end; i++) origins.push(i);
    text += code.slice(at, end);
    at = end;
  };
  for (const { edit } of sorted) {
    copy(edit.start);
    text += edit.text;
    for (let i = 0; i < edit.text.length; i++) origins.push(edit.start);
    at = Math.max(at, edit.end);
  }
  copy(code.length);
  return { text, origins };
}
