"use client";

// The notebook's name in the toolbar; clicking it renames the file, as JupyterLab's title does.

import { useState, type FormEvent } from "react";
import { errorMessage } from "../lib/jupyter";

export default function NotebookTitle({ name, onRename }: { name: string; onRename: (newName: string) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("name");
    const newName = typeof value === "string" ? value.trim() : "";
    if (newName === "" || newName === name) return setEditing(false);
    try {
      await onRename(newName);
      setError(null);
      setEditing(false);
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  };

  if (!editing) {
    return (
      <h1 className="notebook-name">
        <button type="button" className="notebook-name-button" title={`${name} (click to rename)`} onClick={() => setEditing(true)}>
          {name}
        </button>
      </h1>
    );
  }
  return (
    <form className="notebook-name rename-title" onSubmit={(e) => void submit(e)}>
      <input
        name="name"
        aria-label="Notebook name"
        defaultValue={name}
        autoFocus
        onFocus={(e) => e.currentTarget.setSelectionRange(0, name.replace(/\.ipynb$/i, "").length)}
        onKeyDown={(e) => e.key === "Escape" && (setEditing(false), setError(null))}
      />
      {error && (
        <span className="rename-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
