// Help while typing, from the kernel: Tab completes (complete_request), Shift-Tab shows the
// inspection of the name at the cursor in a tooltip (inspect_request), as in JupyterLab; typing `(`
// or `,` of a call shows the called function's signature until the call is closed.

import { acceptCompletion, autocompletion, completionStatus, startCompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { indentLess } from "@codemirror/commands";
import { Prec, StateEffect, StateField, type EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type Tooltip } from "@codemirror/view";
import type { Completions } from "./jupyter";

export interface KernelHelp {
  complete(code: string, cursor: number): Promise<Completions | null>;
  inspect(code: string, cursor: number): Promise<string | null>;
}

type Shown = { pos: number; text: string } | null;

const showHelp = StateEffect.define<Shown>();
const showSignature = StateEffect.define<Shown>();

function textTooltip(pos: number, text: string, testId: string, above: boolean): Tooltip {
  return {
    pos,
    above,
    create: () => {
      const dom = document.createElement("pre");
      dom.className = `inspect-tooltip ${testId}`;
      dom.setAttribute("role", "tooltip");
      dom.setAttribute("data-testid", testId);
      dom.textContent = text;
      return { dom };
    },
  };
}

const helpTooltip = StateField.define<Tooltip | null>({
  create: () => null,
  update(tooltip, tr) {
    for (const effect of tr.effects) {
      if (effect.is(showHelp)) return effect.value && textTooltip(effect.value.pos, effect.value.text, "inspect-tooltip", false);
    }
    // Typing or moving away closes it, as JupyterLab's does.
    return tr.docChanged || tr.selection ? null : tooltip;
  },
  provide: (field) => showTooltip.from(field),
});

/** The cursor is still among the arguments of the call opened at `pos`: on its line, before its closing parenthesis. */
function inCall(state: EditorState, pos: number): boolean {
  const head = state.selection.main.head;
  if (head < pos || pos > state.doc.length || state.doc.lineAt(head).number !== state.doc.lineAt(pos).number) return false;
  let depth = 0;
  for (const char of state.sliceDoc(pos, head)) {
    depth += char === "(" ? 1 : char === ")" ? -1 : 0;
    if (depth < 0) return false;
  }
  return true;
}

/** Above the line, so that it does not cover what is typed next or the completion list. */
const signatureTooltip = StateField.define<{ pos: number; tooltip: Tooltip } | null>({
  create: () => null,
  update(shown, tr) {
    for (const effect of tr.effects) {
      if (effect.is(showSignature))
        return effect.value && { pos: effect.value.pos, tooltip: textTooltip(effect.value.pos, effect.value.text, "signature-tooltip", true) };
    }
    if (!shown || (!tr.docChanged && !tr.selection)) return shown;
    const pos = tr.changes.mapPos(shown.pos);
    return inCall(tr.state, pos) ? { pos, tooltip: { ...shown.tooltip, pos } } : null;
  },
  provide: (field) => showTooltip.from(field, (shown) => shown?.tooltip ?? null),
});

// Escape sequences are exactly what this strips.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** A name (or member access) ends right before the cursor: Tab completes rather than indents. */
function afterName(view: EditorView): boolean {
  const { main } = view.state.selection;
  if (!main.empty) return false;
  const line = view.state.doc.lineAt(main.head);
  return /[\w$.]$/.test(view.state.sliceDoc(line.from, main.head));
}

/** `help()` is read at each request, so the editor needs no rebuilding when the kernel changes. */
export function kernelHelp(help: () => KernelHelp | undefined): Extension {
  const source = async (context: CompletionContext): Promise<CompletionResult | null> => {
    const kernel = help();
    if (!context.explicit || !kernel) return null;
    const found = await kernel.complete(context.state.doc.toString(), context.pos);
    if (!found || context.aborted) return null;
    return { from: found.from, to: found.to, options: found.matches.map((label) => ({ label })) };
  };

  const inspect = (view: EditorView): boolean => {
    const kernel = help();
    if (!kernel || !afterName(view)) return indentLess(view);
    const pos = view.state.selection.main.head;
    void kernel.inspect(view.state.doc.toString(), pos).then((text) => {
      if (text && view.state.selection.main.head === pos) view.dispatch({ effects: showHelp.of({ pos, text: text.replace(ANSI, "") }) });
    });
    return true;
  };

  const closeHelp = (view: EditorView): boolean => {
    if (view.state.field(helpTooltip)) view.dispatch({ effects: showHelp.of(null) });
    else if (view.state.field(signatureTooltip)) view.dispatch({ effects: showSignature.of(null) });
    else return false;
    return true;
  };

  // After `(` or `,` typed by the user: the signature of the function being called.
  const signatureOnTyping = EditorView.updateListener.of((update) => {
    const kernel = help();
    const typed = update.transactions.some((tr) => tr.isUserEvent("input.type"));
    const pos = update.state.selection.main.head;
    if (!kernel || !typed || !/[(,]/.test(update.state.sliceDoc(pos - 1, pos))) return;
    const { view } = update;
    void kernel.inspect(update.state.doc.toString(), pos).then((text) => {
      if (text && inCall(view.state, pos)) view.dispatch({ effects: showSignature.of({ pos, text: text.replace(ANSI, "") }) });
    });
  });

  return [
    autocompletion({ override: [source], activateOnTyping: false }),
    helpTooltip,
    signatureTooltip,
    signatureOnTyping,
    Prec.highest(
      keymap.of([
        { key: "Tab", run: (view) => (completionStatus(view.state) === "active" ? acceptCompletion(view) : afterName(view) && startCompletion(view)) },
        { key: "Shift-Tab", run: inspect },
        { key: "Escape", run: closeHelp },
      ]),
    ),
  ];
}
