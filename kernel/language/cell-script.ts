/**
 * A cell as a TypeScript *script* file for the language service. Cells share one global scope at
 * run time (transform.ts), which is what script files do in a TypeScript program; modules would
 * each have their own scope. Two things make a cell text a module, so they are rewritten:
 * `import` declarations become declarations of the imported bindings' types (on the same lines),
 * and `export` keywords are blanked.
 */
import ts from "typescript";

/** One replacement in the cell text, so offsets can be mapped between cell and script. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface CellScript {
  text: string;
  edits: TextEdit[];
  /** Names the cell declares at top level (a later cell declaring one again shadows it). */
  declared: Set<string>;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

/** Both the value and the type meaning of an imported name: the cell may use either. */
function importShim(node: ts.ImportDeclaration): string {
  const from = node.moduleSpecifier.getText();
  const clause = node.importClause;
  if (!clause) return "";
  const shims: string[] = [];
  if (clause.name) shims.push(`declare const ${clause.name.text}: typeof import(${from}).default;`);
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    shims.push(`declare const ${bindings.name.text}: typeof import(${from});`);
  } else if (bindings) {
    for (const element of bindings.elements) {
      const local = element.name.text;
      const imported = (element.propertyName ?? element.name).getText();
      if (!clause.isTypeOnly && !element.isTypeOnly) shims.push(`declare const ${local}: typeof import(${from}).${imported};`);
      shims.push(`type ${local} = import(${from}).${imported};`);
    }
  }
  // The import's line breaks are kept, so every later line stays where it was.
  return shims.join(" ") + node.getText().replace(/[^\n]/g, "");
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    const names = clause?.name ? [clause.name.text] : [];
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    else if (bindings) names.push(...bindings.elements.map((e) => e.name.text));
    return names;
  }
  if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement)
  ) {
    return statement.name ? [statement.name.text] : [];
  }
  return [];
}

/** Offset in the cell → offset in the script made from it. */
export function toScriptOffset(edits: readonly TextEdit[], cellOffset: number): number {
  let delta = 0;
  for (const edit of edits) {
    if (edit.end > cellOffset) break;
    delta += edit.text.length - (edit.end - edit.start);
  }
  return cellOffset + delta;
}

export function cellScript(code: string): CellScript {
  const source = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: TextEdit[] = [];
  const declared = new Set<string>();
  for (const statement of source.statements) {
    for (const name of declaredNames(statement)) declared.add(name);
    if (ts.isImportDeclaration(statement)) {
      edits.push({ start: statement.getStart(), end: statement.getEnd(), text: importShim(statement) });
    } else if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      edits.push({ start: statement.getStart(), end: statement.getEnd(), text: "" });
    } else {
      const exportKeyword = ts.canHaveModifiers(statement) ? ts.getModifiers(statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword) : undefined;
      if (exportKeyword) edits.push({ start: exportKeyword.getStart(), end: exportKeyword.getEnd(), text: "" });
    }
  }
  let text = "";
  let at = 0;
  for (const edit of edits) {
    text += code.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return { text: text + code.slice(at), edits, declared };
}

/**
 * The script of an earlier cell with its top-level declarations of `shadowed` names renamed, so a
 * cell that declares a name again (as re-running a cell does) is not a duplicate declaration.
 */
export function renameDeclarations(script: string, shadowed: ReadonlySet<string>, suffix: string): string {
  if (shadowed.size === 0) return script;
  const source = ts.createSourceFile("cell.ts", script, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const renames: { start: number; end: number; name: string }[] = [];
  const visitName = (name: ts.BindingName | ts.Identifier | undefined) => {
    if (!name) return;
    if (ts.isIdentifier(name)) {
      if (shadowed.has(name.text)) renames.push({ start: name.getStart(), end: name.getEnd(), name: name.text });
      return;
    }
    for (const element of name.elements) if (!ts.isOmittedExpression(element)) visitName(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((d) => visitName(d.name));
    else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
      visitName(statement.name);
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isModuleDeclaration(statement)) {
      if (ts.isIdentifier(statement.name)) visitName(statement.name);
    }
  }
  let text = "";
  let at = 0;
  for (const { start, end, name } of renames.sort((a, b) => a.start - b.start)) {
    text += script.slice(at, start) + `${name}${suffix}`;
    at = end;
  }
  return text + script.slice(at);
}
