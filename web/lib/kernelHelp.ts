// Help while typing, from the kernel: Tab completes (complete_request), Shift-Tab shows the
// inspection of the name at the cursor in a tooltip (inspect_request), as in JupyterLab.

import { acceptCompletion, autocompletion, completionStatus, startCompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { indentLess } from '@codemirror/commands';
import { Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { EditorView, keymap, showTooltip, type Tooltip } from '@codemirror/view';
import type { Completions } from './jupyter';

export interface KernelHelp {
  complete(code: string, cursor: number): Promise<Completions | null>;
  inspect(code: string, cursor: number): Promise<string | null>;
}

const showHelp = StateEffect.define<{ pos: number; text: string } | null>();

const helpTooltip = StateField.define<Tooltip | null>({
  create: () => null,
  update(tooltip, tr) {
    for (const effect of tr.effects) {
      if (effect.is(showHelp)) {
        if (effect.value === null) return null;
        const { pos, text } = effect.value;
        return {
          pos,
          above: false,
          create: () => {
            const dom = document.createElement('pre');
            dom.className = 'inspect-tooltip';
            dom.setAttribute('role', 'tooltip');
            dom.setAttribute('data-testid', 'inspect-tooltip');
            dom.textContent = text;
            return { dom };
          },
        };
      }
    }
    // Typing or moving away closes it, as JupyterLab's does.
    return tr.docChanged || tr.selection ? null : tooltip;
  },
  provide: (field) => showTooltip.from(field),
});

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
      if (text && view.state.selection.main.head === pos) view.dispatch({ effects: showHelp.of({ pos, text: text.replace(ANSI, '') }) });
    });
    return true;
  };

  const closeHelp = (view: EditorView): boolean => {
    if (!view.state.field(helpTooltip)) return false;
    view.dispatch({ effects: showHelp.of(null) });
    return true;
  };

  return [
    autocompletion({ override: [source], activateOnTyping: false }),
    helpTooltip,
    Prec.highest(
      keymap.of([
        { key: 'Tab', run: (view) => (completionStatus(view.state) === 'active' ? acceptCompletion(view) : afterName(view) && startCompletion(view)) },
        { key: 'Shift-Tab', run: inspect },
        { key: 'Escape', run: closeHelp },
      ]),
    ),
  ];
}
