'use client';

// A CodeMirror 6 editor for one cell. Uncontrolled: the document is seeded once and changes are
// reported up; a cell that needs a different language is remounted instead (new cell id).

import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { markdown } from '@codemirror/lang-markdown';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightSpecialChars, keymap } from '@codemirror/view';
import { kernelHelp, type KernelHelp } from '../lib/kernelHelp';

export type EditorLanguage = 'typescript' | 'markdown' | 'plain';

/** `advance`: Shift-Enter (run, then go to the next cell); `in-place`: Ctrl/Cmd-Enter;
 * `insert-below`: Alt-Enter (run, then add a cell below). */
export type RunMode = 'advance' | 'in-place' | 'insert-below';

/** Where the keyboard leaves the editor: Esc to command mode, or arrows past the first/last line. */
export type EditorExit = 'command-mode' | 'previous-cell' | 'next-cell';

interface Props {
  initialValue: string;
  language: EditorLanguage;
  /** Accessible name of the editable area, e.g. "Cell 1 input". */
  label: string;
  /** Changes whenever the editor should take focus. */
  focusNonce: number | undefined;
  onChange: (source: string) => void;
  onRun: (source: string, mode: RunMode) => void;
  onExit: (exit: EditorExit) => void;
  /** Completion and inspection from the kernel; absent for markdown and raw cells. */
  help?: KernelHelp;
}

function languageExtension(language: EditorLanguage): Extension {
  if (language === 'typescript') return javascript({ typescript: true });
  if (language === 'markdown') return markdown();
  return [];
}

export default function CodeEditor({ initialValue, language, label, focusNonce, onChange, onRun, onExit, help }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const labelCompartment = useRef(new Compartment());
  // Latest callbacks, read by the editor's handlers without recreating the editor.
  const callbacks = useRef({ onChange, onRun, onExit, help });
  useEffect(() => {
    callbacks.current = { onChange, onRun, onExit, help };
  });

  useEffect(() => {
    if (!host.current) return;
    const run = (mode: RunMode) => (v: EditorView) => {
      callbacks.current.onRun(v.state.doc.toString(), mode);
      return true;
    };
    const exit = (to: EditorExit) => () => {
      callbacks.current.onExit(to);
      return true;
    };
    // Arrows leave the cell only from its first/last line with an empty selection, as in Jupyter.
    const atEdge = (edge: 'first' | 'last') => (v: EditorView) => {
      const { main } = v.state.selection;
      if (!main.empty) return false;
      const line = v.state.doc.lineAt(main.head).number;
      if (line !== (edge === 'first' ? 1 : v.state.doc.lines)) return false;
      callbacks.current.onExit(edge === 'first' ? 'previous-cell' : 'next-cell');
      return true;
    };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initialValue,
        extensions: [
          // Before the keymap below: Tab, Shift-Tab and Escape go to the completion popup and tooltip first.
          kernelHelp(() => callbacks.current.help),
          Prec.highest(keymap.of([
            { key: 'Shift-Enter', run: run('advance') },
            { key: 'Ctrl-Enter', run: run('in-place') },
            { key: 'Mod-Enter', run: run('in-place') }, // Cmd-Enter on macOS
            { key: 'Alt-Enter', run: run('insert-below') },
            { key: 'Escape', run: exit('command-mode') },
            { key: 'ArrowUp', run: atEdge('first') },
            { key: 'ArrowDown', run: atEdge('last') },
          ])),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          languageExtension(language),
          labelCompartment.current.of(EditorView.contentAttributes.of({ 'aria-label': label })),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Seeded once per mount on purpose; see the note at the top of the file.
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: labelCompartment.current.reconfigure(EditorView.contentAttributes.of({ 'aria-label': label })) });
  }, [label]);

  useEffect(() => {
    if (focusNonce !== undefined) view.current?.focus();
  }, [focusNonce]);

  return <div className="cell-editor" ref={host} />;
}
