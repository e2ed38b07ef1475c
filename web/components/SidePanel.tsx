"use client";

// The panel beside the notebook, as JupyterLab's left sidebar: the folder's notebooks (file
// browser) or a table of contents built from the markdown cells' headings.

import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { VscArrowUp, VscBook, VscFolder } from "react-icons/vsc";
import { lexer, type Tokens } from "marked";
import { errorMessage, listFolder, type ListEntry } from "../lib/jupyter";
import type { Cell } from "../lib/notebookModel";
import { notebookHref } from "../lib/paths";
import type { SidePanel as Panel } from "./NotebookToolbar";

interface Heading {
  cellId: string;
  level: number;
  text: string;
}

/** Markdown headings in document order (marked's lexer, so "#" lines inside code fences are not headings). */
function headings(cells: readonly Cell[]): Heading[] {
  return cells.flatMap((cell) =>
    cell.kind !== "markdown"
      ? []
      : lexer(cell.source)
          .filter((token): token is Tokens.Heading => token.type === "heading")
          .map((token) => ({ cellId: cell.id, level: token.depth, text: token.text.replace(/[*_`$\\]/g, "") })),
  );
}

function TableOfContents({ cells, onSelect }: { cells: readonly Cell[]; onSelect: (cellId: string) => void }) {
  const items = useMemo(() => headings(cells), [cells]);
  if (items.length === 0) return <p className="page-message">No headings: markdown cells starting with # appear here.</p>;
  return (
    <ol className="toc" data-testid="toc">
      {items.map((heading, i) => (
        <li key={i} className={`toc-level-${heading.level}`}>
          <button type="button" className="link-button" onClick={() => onSelect(heading.cellId)}>
            {heading.text}
          </button>
        </li>
      ))}
    </ol>
  );
}

function parentOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}

function FileBrowser({ path }: { path: string }) {
  const [dir, setDir] = useState(() => parentOf(path));
  const [entries, setEntries] = useState<ListEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    setEntries(null);
    listFolder(dir).then(
      (listed) => !cancelled && (setEntries(listed), setError(null)),
      (e: unknown) => !cancelled && setError(errorMessage(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [dir]);
  return (
    <div className="file-browser" data-testid="file-browser">
      <div className="file-browser-dir">
        {dir !== "" && (
          <button type="button" className="link-button" onClick={() => setDir(parentOf(dir))}>
            <VscArrowUp className="icon" aria-hidden />
            Up
          </button>
        )}
        <span>{dir === "" ? "Notebooks" : dir}</span>
      </div>
      {error && <p className="notice">{error}</p>}
      {entries === null && !error && <p className="page-message">Loading…</p>}
      <ul className="file-list">
        {entries?.map((entry) => (
          <li key={entry.path}>
            {entry.kind === "directory" ? (
              <button type="button" className="link-button" onClick={() => setDir(entry.path)}>
                <VscFolder className="icon" aria-hidden />
                {entry.name}
              </button>
            ) : (
              <Link href={notebookHref(entry.path)} aria-current={entry.path === path ? "page" : undefined}>
                <VscBook className="icon" aria-hidden />
                {entry.name}
              </Link>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function SidePanel({
  panel,
  path,
  cells,
  onSelect,
}: {
  panel: Panel;
  path: string;
  cells: readonly Cell[];
  onSelect: (cellId: string) => void;
}) {
  return (
    <aside className="side-panel" aria-label={panel === "files" ? "File browser" : "Table of contents"}>
      <h2 className="side-panel-title">{panel === "files" ? "Files" : "Contents"}</h2>
      {panel === "files" ? <FileBrowser path={path} /> : <TableOfContents cells={cells} onSelect={onSelect} />}
    </aside>
  );
}
