"use client";

// Find and replace across the notebook, as JupyterLab's search bar: Ctrl-F finds in every cell's
// source (and, if asked, in the outputs' text), Ctrl-H also replaces. Matches are painted with the
// CSS Custom Highlight API over the editors' and outputs' own DOM, so no cell re-renders for them;
// replacements go through the cell's editor (which reports the edit like typing) or, for a cell
// without one (rendered markdown, hidden input), straight into the model.

import { EditorView } from "@codemirror/view";
import { useEffect, useMemo, useRef, useState, type Dispatch, type KeyboardEvent } from "react";
import type { Cell, NotebookAction } from "../lib/notebookModel";
import { findInSources, findInText, replaceMatches, type SearchOptions, type SourceMatch } from "../lib/notebookSearch";

type Match = ({ kind: "source" } & SourceMatch) | { kind: "output"; cellId: string; range: Range };

const ALL = "notebook-search";
const CURRENT = "notebook-search-current";

function cellElement(cellId: string): Element | null {
  return document.querySelector(`[data-cell-id="${CSS.escape(cellId)}"]`);
}

function editorOf(element: Element | null): EditorView | null {
  const dom = element?.closest(".cm-editor") ?? null;
  return dom instanceof HTMLElement ? EditorView.findFromDOM(dom) : null;
}

function sourceRange(match: SourceMatch): Range | null {
  const view = editorOf(cellElement(match.cellId)?.querySelector(".cm-content") ?? null);
  if (!view || match.to > view.state.doc.length) return null;
  const start = view.domAtPos(match.from);
  const end = view.domAtPos(match.to);
  const range = new Range();
  range.setStart(start.node, start.offset);
  range.setEnd(end.node, end.offset);
  return range;
}

/** Matches in the text of a cell's outputs, one text node at a time. */
function outputRanges(cellId: string, query: string, options: SearchOptions): Range[] {
  const outputs = cellElement(cellId)?.querySelectorAll('[data-testid="output"]') ?? [];
  return Array.from(outputs).flatMap((output) => {
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    const ranges: Range[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const { from, to } of findInText(node.textContent ?? "", query, options)) {
        const range = new Range();
        range.setStart(node, from);
        range.setEnd(node, to);
        ranges.push(range);
      }
    }
    return ranges;
  });
}

function byCell(found: SourceMatch[]): Map<string, SourceMatch[]> {
  const groups = new Map<string, SourceMatch[]>();
  for (const m of found) groups.set(m.cellId, [...(groups.get(m.cellId) ?? []), m]);
  return groups;
}

function paint(ranges: Range[], current: Range | null): void {
  if (typeof CSS === "undefined" || !("highlights" in CSS)) return;
  CSS.highlights.set(ALL, new Highlight(...ranges));
  CSS.highlights.set(CURRENT, current ? new Highlight(current) : new Highlight());
}

interface Props {
  cells: Cell[];
  selectedId: string | null;
  dispatch: Dispatch<NotebookAction>;
}

export default function NotebookSearch({ cells, selectedId, dispatch }: Props) {
  const [open, setOpen] = useState<"find" | "replace" | null>(null);
  const [opened, setOpened] = useState(0);
  const [query, setQuery] = useState("");
  const [replacement, setReplacement] = useState("");
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [inOutputs, setInOutputs] = useState(false);
  const [current, setCurrent] = useState(0);
  const [total, setTotal] = useState(0);
  const matches = useRef<Match[]>([]);
  // Set when the user asked to move (typing the query, Enter, a replace): the next paint scrolls there.
  const go = useRef(false);
  const queryInput = useRef<HTMLInputElement>(null);
  const options = useMemo(() => ({ caseSensitive }), [caseSensitive]);
  const sourceMatches = useMemo(() => (open ? findInSources(cells, query, options) : []), [open, cells, query, options]);

  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      const key = event.key.toLowerCase();
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (key !== "f" && key !== "h")) return;
      event.preventDefault();
      // The text selected in an editor, as JupyterLab's search starts from it.
      const view = editorOf(document.activeElement);
      const selected = view ? view.state.sliceDoc(view.state.selection.main.from, view.state.selection.main.to) : "";
      if (selected !== "" && !selected.includes("\n")) setQuery(selected);
      setOpen((was) => (key === "h" || was === "replace" ? "replace" : "find"));
      setOpened((n) => n + 1);
    };
    // Capture: before the editors and the browser's own find.
    window.addEventListener("keydown", onKeyDown, true);
    return () => window.removeEventListener("keydown", onKeyDown, true);
  }, []);

  useEffect(() => {
    if (opened > 0) queryInput.current?.select();
  }, [opened]);

  useEffect(() => {
    if (!open || query === "") {
      // The notebook re-renders often (outputs streaming): clear once, not on every render.
      if (total === 0 && matches.current.length === 0) return;
      matches.current = [];
      setTotal(0);
      paint([], null);
      return;
    }
    const bySource = byCell(sourceMatches);
    const all: Match[] = cells.flatMap((cell) => [
      ...(bySource.get(cell.id) ?? []).map((m): Match => ({ kind: "source", ...m })),
      ...(inOutputs ? outputRanges(cell.id, query, options).map((range): Match => ({ kind: "output", cellId: cell.id, range })) : []),
    ]);
    matches.current = all;
    setTotal(all.length);
    const index = all.length === 0 ? 0 : Math.min(current, all.length - 1);
    const ranges = all.map((m) => (m.kind === "source" ? sourceRange(m) : m.range));
    paint(
      ranges.filter((r): r is Range => r !== null),
      ranges[index] ?? null,
    );
    const target = all[index];
    if (!go.current || !target) return;
    go.current = false;
    reveal(target);
  });

  const reveal = (match: Match) => {
    dispatch({ type: "select", id: match.cellId });
    if (match.kind === "output") return match.range.startContainer.parentElement?.scrollIntoView({ block: "center" });
    const cell = cells.find((c) => c.id === match.cellId);
    // A rendered markdown cell shows its source to show the match, as JupyterLab does.
    if (cell?.kind === "markdown" && !cell.editing) {
      go.current = true;
      return dispatch({ type: "set-editing", id: cell.id, editing: true });
    }
    const view = editorOf(cellElement(match.cellId)?.querySelector(".cm-content") ?? null);
    // A far cell's editor is made once the select above renders (CodeEditor.tsx): reveal again then.
    if (!view && cellElement(match.cellId)?.querySelector(".cell-editor-pending")) {
      go.current = true;
      return;
    }
    view?.dispatch({ selection: { anchor: match.from, head: match.to }, effects: EditorView.scrollIntoView(match.from, { y: "center" }) });
    // The editor was focused by the set-editing above; the search bar keeps the keyboard.
    queryInput.current?.focus();
  };

  const step = (delta: 1 | -1) => {
    if (total === 0) return;
    go.current = true;
    setCurrent((c) => (Math.min(c, total - 1) + delta + total) % total);
  };

  const replaceIn = (cellId: string, found: SourceMatch[]) => {
    const view = editorOf(cellElement(cellId)?.querySelector(".cm-content") ?? null);
    if (view) return view.dispatch({ changes: found.map(({ from, to }) => ({ from, to, insert: replacement })), userEvent: "input.replace" });
    const cell = cells.find((c) => c.id === cellId);
    if (cell) dispatch({ type: "edit", id: cellId, source: replaceMatches(cell.source, found, replacement) });
  };

  const replaceCurrent = () => {
    const match = matches.current[Math.min(current, matches.current.length - 1)];
    if (match?.kind !== "source") return step(1);
    go.current = true;
    replaceIn(match.cellId, [match]);
  };

  const replaceAll = () => {
    for (const [cellId, found] of byCell(sourceMatches)) replaceIn(cellId, found);
  };

  const close = () => {
    setOpen(null);
    if (selectedId !== null) dispatch({ type: "select", id: selectedId, focus: "cell" });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Enter" && event.target === queryInput.current) {
      event.preventDefault();
      step(event.shiftKey ? -1 : 1);
    }
  };

  if (!open) return null;
  return (
    <div className="notebook-search" role="search" aria-label="Find in notebook" data-testid="notebook-search" onKeyDown={onKeyDown}>
      <input
        ref={queryInput}
        type="search"
        aria-label="Find"
        placeholder="Find"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setCurrent(0);
          go.current = true;
        }}
      />
      <span className="search-count" data-testid="search-count">
        {query === "" ? "" : total === 0 ? "No results" : `${Math.min(current, total - 1) + 1} of ${total}`}
      </span>
      <button type="button" aria-label="Previous match" title="Previous match (Shift-Enter)" onClick={() => step(-1)}>
        ↑
      </button>
      <button type="button" aria-label="Next match" title="Next match (Enter)" onClick={() => step(1)}>
        ↓
      </button>
      <label>
        <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.target.checked)} /> Match case
      </label>
      <label>
        <input type="checkbox" checked={inOutputs} onChange={(e) => setInOutputs(e.target.checked)} /> In outputs
      </label>
      {open === "replace" && (
        <>
          <input type="text" aria-label="Replace with" placeholder="Replace" value={replacement} onChange={(e) => setReplacement(e.target.value)} />
          <button type="button" onClick={replaceCurrent}>
            Replace
          </button>
          <button type="button" onClick={replaceAll}>
            Replace all
          </button>
        </>
      )}
      <button type="button" aria-label="Close search" title="Close (Esc)" onClick={close}>
        ✕
      </button>
    </div>
  );
}
