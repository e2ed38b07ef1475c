'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { createNotebook, deleteNotebook, errorMessage, listNotebooks, renameNotebook, type NotebookEntry } from '../lib/jupyter';
import { notebookHref } from '../lib/paths';

type RowMode = 'view' | 'rename' | 'confirm-delete';

interface RowProps {
  entry: NotebookEntry;
  onRename: (entry: NotebookEntry, newName: string) => Promise<boolean>;
  onDelete: (entry: NotebookEntry) => Promise<void>;
}

function NotebookRow({ entry, onRename, onDelete }: RowProps) {
  const [mode, setMode] = useState<RowMode>('view');
  const [newName, setNewName] = useState(entry.name);

  const submitRename = async (event: FormEvent) => {
    event.preventDefault();
    if (await onRename(entry, newName)) setMode('view');
  };

  return (
    <li className="notebook-row" data-testid="notebook-row">
      {mode === 'rename' ? (
        <form className="rename-form" onSubmit={submitRename}>
          <input aria-label={`New name for ${entry.name}`} value={newName} onChange={(e) => setNewName(e.target.value)} autoFocus />
          <button type="submit">Save name</button>
          <button type="button" onClick={() => setMode('view')}>
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
        {mode === 'confirm-delete' ? (
          <>
            <span>Delete {entry.name}?</span>
            <button type="button" className="danger" onClick={() => void onDelete(entry)}>
              Confirm delete
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Cancel
            </button>
          </>
        ) : (
          mode === 'view' && (
            <>
              <button
                type="button"
                aria-label={`Rename ${entry.name}`}
                onClick={() => {
                  setNewName(entry.name);
                  setMode('rename');
                }}
              >
                Rename
              </button>
              <button type="button" aria-label={`Delete ${entry.name}`} onClick={() => setMode('confirm-delete')}>
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
  const [entries, setEntries] = useState<NotebookEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setEntries(await listNotebooks());
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      const created = await createNotebook();
      router.push(notebookHref(created.path));
    } catch (e: unknown) {
      setError(errorMessage(e));
      setCreating(false);
    }
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

  return (
    <section className="notebook-list">
      <div className="list-header">
        <h1>Notebooks</h1>
        <button type="button" className="primary" onClick={() => void create()} disabled={creating}>
          New notebook
        </button>
      </div>
      {error && (
        <p className="notice" role="alert" data-testid="list-error">
          {error}
        </p>
      )}
      {entries === null && !error && <p className="page-message">Loading…</p>}
      {entries?.length === 0 && <p className="page-message">No notebooks yet. Create one to start.</p>}
      {entries && entries.length > 0 && (
        <ul aria-label="Notebooks" className="rows">
          {entries.map((entry) => (
            <NotebookRow key={entry.path} entry={entry} onRename={rename} onDelete={remove} />
          ))}
        </ul>
      )}
    </section>
  );
}
