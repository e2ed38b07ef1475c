/**
 * The TypeScript language service over the whole session: every earlier cell that declared
 * something is a script file of one program, and the cell being typed or run is the last one. So
 * completion knows the members of objects defined cells ago, and inspection shows the signatures
 * and doc comments of imported libraries. Runs in the language worker (language-worker.ts).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ts from "typescript";
import type { CompleteReply, InspectReply } from "../protocol/messages.ts";
import { cellGlobalsDeclaration } from "./cell-globals.ts";
import { cellScript, renameDeclarations, toScriptOffset, type CellScript } from "./cell-script.ts";
import { LibraryFiles } from "./library-files.ts";

/** A type error in a cell; line and column are 1-based in the cell's own text. */
export interface CellDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
}

/**
 * Diagnostics that are not errors in a cell: top-level await and `return`-less scripts are fine
 * at run time (transform.ts wraps the cell in an async function), and a re-run cell redeclares.
 * 1375/1378: top-level await outside a module; 1431: for-await at top level; 2451/2300/2393:
 * redeclarations (within one cell, the cell also fails at run time with a clearer message).
 */
const IGNORED_CODES = new Set([1375, 1378, 1431, 1432, 2451, 2300, 2393]);

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  // Files without import/export are scripts sharing one global scope, as cells do at run time.
  moduleDetection: ts.ModuleDetectionKind.Legacy,
  strict: true,
  noEmit: true,
  allowJs: true,
  allowImportingTsExtensions: true,
  esModuleInterop: true,
  skipLibCheck: true,
  types: ["node"],
};

/** Node's types come with the kernel, wherever the notebook (the kernel's working directory) is. */
const KERNEL_TYPE_ROOT = dirname(dirname(createRequire(import.meta.url).resolve("@types/node/package.json")));

interface HistoryCell {
  script: CellScript;
  /** Its file in the program, named by when it ran, so dropping an older cell renames no other. */
  serial: number;
  /** The last renaming made, by the names it renamed; renaming parses the cell. */
  renamed?: { key: string; text: string };
}

/** What a cell adds to the program beyond its names: it stays even when they are all declared again. */
const AUGMENTS_TYPES = /\bdeclare\s+(global|module|namespace)\b/;

export class SessionLanguageService {
  readonly #dir: string;
  readonly #files = new Map<string, { text: string; version: number }>();
  readonly #history: HistoryCell[] = [];
  #serial = 0;
  readonly #checked = new Map<string, CellDiagnostic[]>();
  readonly #service: ts.LanguageService;
  readonly #currentFile: string;
  readonly #globalsFile: string;
  readonly #library = new LibraryFiles();

  /** `dir` is where imports resolve from: the kernel's working directory. */
  constructor(dir: string) {
    this.#dir = dir;
    this.#currentFile = join(dir, "__lightbook_cell.ts");
    this.#globalsFile = join(dir, "__lightbook_globals.d.ts");
    this.#setFile(this.#globalsFile, cellGlobalsDeclaration());
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [...this.#files.keys()],
      getScriptVersion: (file) => String(this.#files.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const text = this.#files.get(file)?.text;
        return text === undefined ? this.#library.snapshot(file) : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.#dir,
      getCompilationSettings: () => ({ ...COMPILER_OPTIONS, typeRoots: [join(dir, "node_modules", "@types"), KERNEL_TYPE_ROOT] }),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (file) => this.#files.has(file) || this.#library.fileExists(file),
      readFile: (file) => this.#files.get(file)?.text ?? this.#library.readFile(file),
      readDirectory: ts.sys.readDirectory,
      directoryExists: (dir) => this.#library.directoryExists(dir),
      getDirectories: ts.sys.getDirectories,
      realpath: (file) => this.#library.realpath(file),
    };
    this.#service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  /**
   * Type errors of `code` run after the session's cells. Results are kept until a cell adds
   * declarations: re-running a cell (or a benchmark's trivial one) does not build a program again.
   */
  check(code: string): CellDiagnostic[] {
    const cached = this.#checked.get(code);
    if (cached) return cached;
    // A cell that imports may import what was installed since (library-files.ts).
    if (/\b(import|require)\b/.test(code)) this.#library.forget();
    const diagnostics = this.#check(code);
    this.#checked.set(code, diagnostics);
    return diagnostics;
  }

  #check(code: string): CellDiagnostic[] {
    const script = this.#setCurrent(code);
    const diagnostics: CellDiagnostic[] = [];
    for (const d of this.#service.getSemanticDiagnostics(this.#currentFile)) {
      if (IGNORED_CODES.has(d.code) || d.start === undefined) continue;
      const at = toCellOffset(script, d.start);
      // Errors in an import's type declarations say the import fails; running it says so better.
      if (at.inEdit) continue;
      const before = code.slice(0, at.offset).split("\n");
      diagnostics.push({
        line: before.length,
        column: (before.at(-1)?.length ?? 0) + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
      });
    }
    return diagnostics;
  }

  /** How many earlier cells the program holds (what each check's program and memory grow with). */
  get cellsHeld(): number {
    return this.#history.length;
  }

  /** Adds a cell that ran to the session; only its declarations matter to later cells. */
  commit(code: string): void {
    const script = cellScript(code);
    if (script.declared.size === 0 && !AUGMENTS_TYPES.test(script.text)) return;
    // The same cell run again declares the same types again: the session's types are unchanged,
    // so its checks stay valid and the history does not grow.
    if (this.#history.at(-1)?.script.text === script.text) return;
    this.#history.push({ script, serial: this.#serial++ });
    this.#dropShadowed();
    this.#checked.clear();
  }

  /**
   * Earlier cells whose every name a later cell declares again can no longer be referred to (later
   * cells' references mean the newest declaration): they leave the program. Without this, each
   * Run all of a notebook added all its cells again, and every check grew with the session.
   */
  #dropShadowed(): void {
    const later = new Set<string>();
    const laterTexts = new Set<string>();
    const kept: HistoryCell[] = [];
    for (const cell of this.#history.toReversed()) {
      const { declared, text } = cell.script;
      const hidden = !AUGMENTS_TYPES.test(text) && [...declared].every((name) => later.has(name));
      if (hidden || laterTexts.has(text)) this.#files.delete(this.#cellFile(cell));
      else kept.push(cell);
      for (const name of declared) later.add(name);
      laterTexts.add(text);
    }
    this.#history.splice(0, this.#history.length, ...kept.reverse());
  }

  #cellFile(cell: HistoryCell): string {
    return join(this.#dir, `__lightbook_cell_${cell.serial}.ts`);
  }

  /** `cursor` is a UTF-16 offset in `code`. */
  complete(code: string, cursor: number): Omit<Extract<CompleteReply, { status: "ok" }>, "status"> {
    const script = this.#setCurrent(code);
    const prefix = /[\w$]*$/.exec(code.slice(0, cursor))?.[0] ?? "";
    const info = this.#service.getCompletionsAtPosition(this.#currentFile, toScriptOffset(script.edits, cursor), {
      includeCompletionsWithInsertText: true,
    });
    const entries = (info?.entries ?? [])
      .filter((entry) => entry.name.startsWith(prefix) && !entry.name.includes("__shadowed"))
      .sort((a, b) => a.sortText.localeCompare(b.sortText) || a.name.localeCompare(b.name));
    const start = cursor - prefix.length;
    return {
      matches: entries.map((entry) => entry.name),
      cursor_start: start,
      cursor_end: cursor,
      // The types JupyterLab shows beside each match.
      metadata: {
        _jupyter_types_experimental: entries.map((entry) => ({ start, end: cursor, text: entry.name, type: entry.kind })),
      },
    };
  }

  /** Signature and doc comment of the name at `cursor` (a UTF-16 offset in `code`). */
  inspect(code: string, cursor: number): Omit<Extract<InspectReply, { status: "ok" }>, "status"> {
    const script = this.#setCurrent(code);
    const at = toScriptOffset(script.edits, cursor);
    // At the end of a name (where the cursor is after typing it), the name is the one before.
    const info =
      this.#service.getQuickInfoAtPosition(this.#currentFile, at) ?? (at > 0 ? this.#service.getQuickInfoAtPosition(this.#currentFile, at - 1) : undefined);
    if (!info) return this.#signatureHelp(at);
    const signature = ts.displayPartsToString(info.displayParts).replaceAll(/__shadowed\d+/g, "");
    const documented = info.documentation?.length ? info : (this.#importedDocs(info.textSpan.start) ?? info);
    const documentation = ts.displayPartsToString(documented.documentation);
    const tags = (documented.tags ?? []).map((tag) => `@${tag.name} ${ts.displayPartsToString(tag.text)}`.trimEnd());
    const docs = [documentation, ...tags].filter(Boolean).join("\n");
    return {
      found: true,
      data: {
        "text/plain": docs ? `${signature}\n\n${docs}` : signature,
        "text/markdown": `\`\`\`typescript\n${signature}\n\`\`\`${docs ? `\n\n${docs}` : ""}`,
      },
      metadata: {},
    };
  }

  /**
   * Not on a name but between the parentheses of a call (right after `Math.max(` or a comma): the
   * signature of the function called, as an editor's parameter hints show it while typing arguments.
   */
  #signatureHelp(at: number): Omit<Extract<InspectReply, { status: "ok" }>, "status"> {
    const help = this.#service.getSignatureHelpItems(this.#currentFile, at, undefined);
    const item = help?.items[help.selectedItemIndex];
    if (!help || !item) return { found: false, data: {}, metadata: {} };
    const parameters = item.parameters.map((p) => ts.displayPartsToString(p.displayParts)).join(ts.displayPartsToString(item.separatorDisplayParts));
    const signature = `${ts.displayPartsToString(item.prefixDisplayParts)}${parameters}${ts.displayPartsToString(item.suffixDisplayParts)}`.replaceAll(
      /__shadowed\d+/g,
      "",
    );
    const current = item.parameters[help.argumentIndex];
    const docs = [ts.displayPartsToString(item.documentation), current ? ts.displayPartsToString(current.documentation) : ""].filter(Boolean).join("\n");
    return {
      found: true,
      data: {
        "text/plain": docs ? `${signature}\n\n${docs}` : signature,
        "text/markdown": `\`\`\`typescript\n${signature}\n\`\`\`${docs ? `\n\n${docs}` : ""}`,
      },
      metadata: {},
    };
  }

  /**
   * Imported names are declared by their type (cell-script.ts), which drops the doc comment from
   * the name; the function or class the type belongs to still has it.
   */
  #importedDocs(position: number): Pick<ts.QuickInfo, "documentation" | "tags"> | undefined {
    const program = this.#service.getProgram();
    const source = program?.getSourceFile(this.#currentFile);
    if (!program || !source) return undefined;
    const identifier = identifierAt(source, position);
    if (!identifier) return undefined;
    const checker = program.getTypeChecker();
    const symbol = checker.getTypeAtLocation(identifier).getSymbol();
    if (!symbol) return undefined;
    return { documentation: symbol.getDocumentationComment(checker), tags: symbol.getJsDocTags(checker) };
  }

  #setCurrent(code: string): CellScript {
    const script = cellScript(code);
    this.#syncHistory(script.declared);
    this.#setFile(this.#currentFile, script.text);
    return script;
  }

  /** A name keeps its newest declaration (the current cell's, if it has one); older ones are renamed away. */
  #syncHistory(current: ReadonlySet<string>): void {
    const shadowedSoFar = new Set(current);
    for (const cell of this.#history.toReversed()) {
      const shadowed = new Set([...cell.script.declared].filter((name) => shadowedSoFar.has(name)));
      const key = [...shadowed].sort().join(",");
      if (cell.renamed?.key !== key) {
        cell.renamed = { key, text: renameDeclarations(cell.script.text, shadowed, `__shadowed${cell.serial}`) };
      }
      this.#setFile(this.#cellFile(cell), cell.renamed.text);
      for (const name of cell.script.declared) shadowedSoFar.add(name);
    }
    this.#setFile(this.#globalsFile, cellGlobalsDeclaration(shadowedSoFar));
  }

  #setFile(file: string, text: string): void {
    const existing = this.#files.get(file);
    if (existing?.text === text) return;
    this.#files.set(file, { text, version: (existing?.version ?? 0) + 1 });
  }
}

/** Offset in a cell's script → offset in the cell (inside an edit: the edit's start). */
function toCellOffset(script: CellScript, scriptOffset: number): { offset: number; inEdit: boolean } {
  let delta = 0;
  for (const edit of script.edits) {
    const scriptStart = edit.start + delta;
    if (scriptStart > scriptOffset) break;
    if (scriptOffset < scriptStart + edit.text.length) return { offset: edit.start, inEdit: true };
    delta += edit.text.length - (edit.end - edit.start);
  }
  return { offset: scriptOffset - delta, inEdit: false };
}

function identifierAt(node: ts.Node, position: number): ts.Identifier | undefined {
  if (ts.isIdentifier(node)) return node;
  return node.forEachChild((child) => (child.getStart() <= position && position < child.getEnd() ? identifierAt(child, position) : undefined));
}
