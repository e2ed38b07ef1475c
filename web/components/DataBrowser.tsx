"use client";

// The data root (LIGHTBOOK_DATA_ROOT): folders to walk, HDF5/NeXus files to open.

import { useEffect, useState } from "react";
import { FiFolder } from "react-icons/fi";
import { errorMessage, listDataFolder, type DataEntry } from "../lib/jupyter";
import Hdf5View from "./Hdf5View";

const HDF5_FILE = /\.(h5|hdf5|hdf|nxs|nx5|nexus)$/i;

function formatSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function parent(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf("/")));
}

export default function DataBrowser({ onInsertCode }: { onInsertCode?: (code: string) => void }) {
  const [dir, setDir] = useState("");
  const [entries, setEntries] = useState<DataEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openFile, setOpenFile] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setEntries(null);
    setError(null);
    listDataFolder(dir).then(
      (list) => !cancelled && setEntries(list),
      (e: unknown) => !cancelled && setError(errorMessage(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [dir]);

  if (openFile) {
    return (
      <div className="data-browser">
        <div className="data-header">
          <button type="button" onClick={() => setOpenFile(null)}>
            ← {dir || "Data root"}
          </button>
          <h2 className="data-title">{openFile}</h2>
        </div>
        <Hdf5View dataPath={openFile} onInsertCode={onInsertCode} />
      </div>
    );
  }

  return (
    <div className="data-browser">
      <div className="data-header">
        {dir !== "" && (
          <button type="button" onClick={() => setDir(parent(dir))} aria-label="Up one folder">
            ↑
          </button>
        )}
        <h2 className="data-title">{dir === "" ? "Data root" : dir}</h2>
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {entries === null && !error && <p className="page-message">Loading…</p>}
      {entries?.length === 0 && <p className="page-message">This folder is empty.</p>}
      {entries && entries.length > 0 && (
        <ul className="rows data-rows" aria-label="Data files">
          {entries.map((entry) => (
            <li key={entry.path} className="data-row">
              {entry.kind === "directory" ? (
                <button type="button" className="link-button" onClick={() => setDir(entry.path)}>
                  <FiFolder className="row-icon" aria-hidden="true" />
                  {entry.name}
                </button>
              ) : HDF5_FILE.test(entry.name) ? (
                <button type="button" className="link-button" onClick={() => setOpenFile(entry.path)}>
                  {entry.name}
                </button>
              ) : (
                <span>{entry.name}</span>
              )}
              <span className="modified">{entry.kind === "file" ? formatSize(entry.size) : ""}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
