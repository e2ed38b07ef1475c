"use client";

// A CodeMirror 6 editor for one cell. Uncontrolled: the document is seeded once and changes are
// reported up; a cell that needs a different language is remounted instead (new cell id).
//
// Made lazily: until its cell comes near the screen (or is selected, or is clicked or focused) the
// source shows as plain text with the same metrics. Making hundreds of editors at once took
// seconds on a long notebook; JupyterLab 4 windows its cells for the same reason.

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { markdown } from "@codemirror/lang-markdown";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import { highlightSelectionMatches, selectNextOccurrence } from "@codemirror/search";
import { crosshairCursor, drawSelection, EditorView, highlightSpecialChars, keymap, lineNumbers, rectangularSelection } from "@codemirror/view";
import { kernelHelp, type KernelHelp } from "../lib/kernelHelp";

export type EditorLanguage = "typescript" | "markdown" | "plain";

/** `advance`: Shift-Enter (run, then go to the next cell); `in-place`: Ctrl/Cmd-Enter;
 * `insert-below`: Alt-Enter (run, then add a cell below). */
export type RunMode = "advance" | "in-place" | "insert-below";

/** Where the keyboard leaves the editor: Esc to command mode, or arrows past the first/last line. */
export type EditorExit = "command-mode" | "previous-cell" | "next-cell";

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
  /** Ctrl-Shift-Minus: split the cell at the cursors and around the selected ranges (offsets into the text). */
  onSplit: (ranges: { from: number; to: number }[]) => void;
  /** Completion and inspection from the kernel; absent for markdown and raw cells. */
  help?: KernelHelp;
  /** Line numbers in the gutter (L / Shift-L in command mode). */
  showLineNumbers: boolean;
  /** Make the editor now rather than when it comes near the screen (the selected cell). */
  eager: boolean;
}

/** How far off screen a cell's editor is made, so scrolling finds editors ready. */
const MAKE_WITHIN = "1200px 0px";

const gutterFor = (show: boolean): Extension => (show ? lineNumbers() : []);

function languageExtension(language: EditorLanguage): Extension {
  if (language === "typescript") return javascript({ typescript: true });
  if (language === "markdown") return markdown();
  return [];
}

export default function CodeEditor({ initialValue, language, label, focusNonce, onChange, onRun, onExit, onSplit, help, showLineNumbers, eager }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [live, setLive] = useState(eager);
  if (eager && !live) setLive(true);
  // Focus asked for before the editor existed (and where the text was clicked): given to it once it does.
  const focusWhenMade = useRef<{ x: number; y: number } | boolean>(false);
  const labelCompartment = useRef(new Compartment());
  const gutterCompartment = useRef(new Compartment());
  // Latest callbacks, read by the editor's handlers without recreating the editor.
  const callbacks = useRef({ onChange, onRun, onExit, onSplit, help });
  useEffect(() => {
    callbacks.current = { onChange, onRun, onExit, onSplit, help };
  });

  useEffect(() => {
    if (live || !host.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setLive(true), { rootMargin: MAKE_WITHIN });
    observer.observe(host.current);
    return () => observer.disconnect();
  }, [live]);

  // A layout effect: the editor replaces the plain text in the same frame, and a key typed right after a click reaches it.
  useLayoutEffect(() => {
    if (!live || !host.current) return;
    const run = (mode: RunMode) => (v: EditorView) => {
      callbacks.current.onRun(v.state.doc.toString(), mode);
      return true;
    };
    const exit = (to: EditorExit) => () => {
      callbacks.current.onExit(to);
      return true;
    };
    // Arrows leave the cell only from its first/last line with an empty selection, as in Jupyter.
    const atEdge = (edge: "first" | "last") => (v: EditorView) => {
      const { main } = v.state.selection;
      if (!main.empty) return false;
      const line = v.state.doc.lineAt(main.head).number;
      if (line !== (edge === "first" ? 1 : v.state.doc.lines)) return false;
      callbacks.current.onExit(edge === "first" ? "previous-cell" : "next-cell");
      return true;
    };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initialValue,
        extensions: [
          // Before the keymap below: Tab, Shift-Tab and Escape go to the completion popup and tooltip first.
          kernelHelp(() => callbacks.current.help),
          Prec.highest(
            keymap.of([
              { key: "Shift-Enter", run: run("advance") },
              { key: "Ctrl-Enter", run: run("in-place") },
              { key: "Mod-Enter", run: run("in-place") }, // Cmd-Enter on macOS
              { key: "Alt-Enter", run: run("insert-below") },
              { key: "Escape", run: exit("command-mode") },
              {
                key: "Mod-Shift--",
                run: (v) => {
                  callbacks.current.onSplit(v.state.selection.ranges.map(({ from, to }) => ({ from, to })));
                  return true;
                },
              },
              { key: "ArrowUp", run: atEdge("first") },
              { key: "ArrowDown", run: atEdge("last") },
            ]),
          ),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          // Several cursors, as JupyterLab's editor: Ctrl/Cmd- or Alt-click adds one, Alt-drag a column, Ctrl-D the next occurrence.
          EditorState.allowMultipleSelections.of(true),
          EditorView.clickAddsSelectionRange.of((event) => event.altKey || event.ctrlKey || event.metaKey),
          rectangularSelection(),
          crosshairCursor(),
          highlightSelectionMatches(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([
            ...closeBracketsKeymap,
            // Also keeps Ctrl-D from bookmarking the page when there is no further occurrence.
            { key: "Mod-d", run: selectNextOccurrence, preventDefault: true },
            ...defaultKeymap,
            ...historyKeymap,
            indentWithTab,
          ]),
          languageExtension(language),
          labelCompartment.current.of(EditorView.contentAttributes.of({ "aria-label": label })),
          gutterCompartment.current.of(gutterFor(showLineNumbers)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    const focus = focusWhenMade.current;
    focusWhenMade.current = false;
    if (focus) editor.focus();
    const clicked = typeof focus === "object" ? editor.posAtCoords(focus) : null;
    if (clicked !== null) editor.dispatch({ selection: { anchor: clicked } });
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Seeded once, when made, on purpose; see the note at the top of the file.
  }, [live]);

  useEffect(() => {
    view.current?.dispatch({ effects: labelCompartment.current.reconfigure(EditorView.contentAttributes.of({ "aria-label": label })) });
  }, [label]);

  useEffect(() => {
    view.current?.dispatch({ effects: gutterCompartment.current.reconfigure(gutterFor(showLineNumbers)) });
  }, [showLineNumbers]);

  useEffect(() => {
    if (focusNonce === undefined) return;
    if (view.current) return view.current.focus();
    focusWhenMade.current = true;
    setLive(true);
  }, [focusNonce]);

  const makeAndFocus = (at: { x: number; y: number } | true) => {
    focusWhenMade.current = at;
    setLive(true);
  };
  return (
    <div className="cell-editor" ref={host}>
      {!live && (
        <div className="cm-editor cell-editor-pending">
          <pre
            className="cm-scroller"
            role="textbox"
            aria-label={label}
            tabIndex={0}
            onFocus={() => makeAndFocus(true)}
            onMouseDown={(e) => {
              // The editor takes the focus where the text was clicked; the browser's own focus would land on the cell.
              e.preventDefault();
              makeAndFocus({ x: e.clientX, y: e.clientY });
            }}
          >
            {initialValue}
          </pre>
        </div>
      )}
    </div>
  );
}
