"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type ChangeEvent, type DragEvent, type FormEvent } from "react";
import { FiFolder } from "react-icons/fi";
import { createNotebook, deleteNotebook, errorMessage, importNotebook, listFolder, renameNotebook, type ListEntry, type NotebookEntry } from "../lib/jupyter";
import { folderHref, notebookHref } from "../lib/paths";

type RowMode = "view" | "rename" | "confirm-delete";

function FolderRow({ entry }: { entry: ListEntry }) {
  return (
    <li className="notebook-row folder-row" data-testid="folder-row">
      <Link className="notebook-link" href={folderHref(entry.path)}>
        <FiFolder className="row-icon" aria-hidden="true" />
        {entry.name}
      </Link>
    </li>
  );
}

/** The folder's path as links back up to the root. */
function Breadcrumbs({ dir }: { dir: string }) {
  const parts = dir === "" ? [] : dir.split("/");
  return (
    <nav aria-label="Folder" className="breadcrumbs">
      <Link href={folderHref("")}>Notebooks</Link>
      {parts.map((part, i) => (
        <span key={i}>
          {" / "}
          {i === parts.length - 1 ? <span aria-current="page">{part}</span> : <Link href={folderHref(parts.slice(0, i + 1).join("/"))}>{part}</Link>}
        </span>
      ))}
    </nav>
  );
}

interface RowProps {
  entry: NotebookEntry;
  onRename: (entry: NotebookEntry, newName: string) => Promise<boolean>;
  onDelete: (entry: NotebookEntry) => Promise<void>;
}

function NotebookRow({ entry, onRename, onDelete }: RowProps) {
  const [mode, setMode] = useState<RowMode>("view");
  const [newName, setNewName] = useState(entry.name);

  const submitRename = async (event: FormEvent) => {
    event.preventDefault();
    if (await onRename(entry, newName)) setMode("view");
  };

  return (
    <li className="notebook-row" data-testid="notebook-row">
      {mode === "rename" ? (
        <form className="rename-form" onSubmit={submitRename}>
          <input aria-label={`New name for ${entry.name}`} value={newName} onChange={(e) => setNewName(e.target.value)} autoFocus />
          <button type="submit">Save name</button>
          <button type="button" onClick={() => setMode("view")}>
            Cancel
          </button>
        </form>
      ) : (
        <Link className="notebook-link" href={notebookHref(entry.path)}>
          {entry.name}
        </Link>
      )}
      <time className="modified" dateTime={entry.lastModified}>
        {new Date(entry.lastModified).toLocaleString()}
      </time>
      <div className="row-actions">
        {mode === "confirm-delete" ? (
          <>
            <span>Delete {entry.name}?</span>
            <button type="button" className="danger" onClick={() => void onDelete(entry)}>
              Confirm delete
            </button>
            <button type="button" onClick={() => setMode("view")}>
              Cancel
            </button>
          </>
        ) : (
          mode === "view" && (
            <>
              <button
                type="button"
                aria-label={`Rename ${entry.name}`}
                onClick={() => {
                  setNewName(entry.name);
                  setMode("rename");
                }}
              >
                Rename
              </button>
              <button type="button" aria-label={`Delete ${entry.name}`} onClick={() => setMode("confirm-delete")}>
                Delete
              </button>
            </>
          )
        )}
      </div>
    </li>
  );
}

export default function NotebookList() {
  const router = useRouter();
  const dir = useSearchParams().get("dir") ?? "";
  const [entries, setEntries] = useState<ListEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [query, setQuery] = useState("");
  const importInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    try {
      setEntries(await listFolder(dir));
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  }, [dir]);

  useEffect(() => {
    setEntries(null);
    setError(null);
    void refresh();
  }, [refresh]);

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      const created = await createNotebook(dir);
      router.push(notebookHref(created.path));
    } catch (e: unknown) {
      setError(errorMessage(e));
      setCreating(false);
    }
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setError(null);
    try {
      const imported = await importNotebook(dir, file.name, await file.text());
      router.push(notebookHref(imported.path));
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  };

  // .ipynb files dropped on the list are imported here (each under a free name); the list then shows them.
  const [dropping, setDropping] = useState(false);
  const dropFiles = async (event: DragEvent<HTMLElement>) => {
    setDropping(false);
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    const files = [...event.dataTransfer.files];
    setError(null);
    const failures: string[] = [];
    for (const file of files) {
      if (!/\.ipynb$/i.test(file.name)) failures.push(`${file.name} is not a notebook (.ipynb)`);
      else await importNotebook(dir, file.name, await file.text()).catch((e: unknown) => failures.push(errorMessage(e)));
    }
    if (failures.length > 0) setError(failures.join("\n"));
    await refresh();
  };

  const rename = async (entry: NotebookEntry, newName: string): Promise<boolean> => {
    setError(null);
    try {
      await renameNotebook(entry.path, newName);
      await refresh();
      return true;
    } catch (e: unknown) {
      setError(errorMessage(e));
      return false;
    }
  };

  const remove = async (entry: NotebookEntry) => {
    setError(null);
    try {
      await deleteNotebook(entry.path);
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
    await refresh();
  };

  const needle = query.trim().toLowerCase();
  const shown = entries?.filter((entry) => entry.name.toLowerCase().includes(needle));

  return (
    <section
      className={`notebook-list${dropping ? " notebook-list-dropping" : ""}`}
      data-testid="notebook-list"
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files")) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDropping(false)}
      onDrop={(e) => void dropFiles(e)}
    >
      <div className="list-header">
        <h1>
          <Breadcrumbs dir={dir} />
        </h1>
        <div className="list-actions">
          <input type="search" aria-label="Search notebooks" placeholder="Search…" value={query} onChange={(e) => setQuery(e.target.value)} />
          <button type="button" onClick={() => importInput.current?.click()}>
            Import .ipynb
          </button>
          <input
            ref={importInput}
            type="file"
            accept=".ipynb,application/x-ipynb+json,application/json"
            aria-label="Notebook file to import"
            hidden
            onChange={(e) => void importFile(e)}
          />
          <button type="button" className="primary" onClick={() => void create()} disabled={creating}>
            New notebook
          </button>
        </div>
      </div>
      {error && (
        <p className="notice" role="alert" data-testid="list-error">
          {error}
        </p>
      )}
      {entries === null && !error && <p className="page-message">Loading…</p>}
      {entries?.length === 0 && <p className="page-message">No notebooks here yet. Create or import one to start.</p>}
      {entries && entries.length > 0 && shown?.length === 0 && <p className="page-message">Nothing here matches “{query}”.</p>}
      {shown && shown.length > 0 && (
        <ul aria-label="Notebooks" className="rows">
          {shown.map((entry) =>
            entry.kind === "directory" ? (
              <FolderRow key={entry.path} entry={entry} />
            ) : (
              <NotebookRow key={entry.path} entry={entry} onRename={rename} onDelete={remove} />
            ),
          )}
        </ul>
      )}
    </section>
  );
}
