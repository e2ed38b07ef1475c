"use client";

import { useEffect, useState } from "react";
import { errorMessage } from "../lib/jupyter";
import { listRevisions, restoreRevision, type RevisionSummary } from "../lib/revisions";
import ModalDialog from "./ModalDialog";

const KIND: Record<RevisionSummary["kind"], string> = { save: "Saved", outputs: "Outputs", restore: "Restored" };

interface Props {
  path: string;
  onClose: () => void;
  /** After a restore: the editor loads the new head. */
  onRestored: () => void;
}

/** A notebook's revisions, newest first; one is restored (as a new revision) after confirmation. */
export default function RevisionsDialog({ path, onClose, onRestored }: Props) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<RevisionSummary | null>(null);

  useEffect(() => {
    let cancelled = false;
    listRevisions(path).then(
      (list) => !cancelled && setRevisions(list.revisions),
      (e: unknown) => !cancelled && setError(errorMessage(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [path]);

  const restore = async (revision: RevisionSummary) => {
    try {
      await restoreRevision(path, revision.id);
      onRestored();
      onClose();
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  };

  return (
    <ModalDialog label="Revisions" testId="revisions-dialog" onClose={onClose}>
      <h2>Revisions</h2>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {revisions === null && !error && <p>Loading…</p>}
      {confirming ? (
        <div data-testid="restore-confirm">
          <p>{`Restore the revision of ${new Date(confirming.created).toLocaleString()}? Changes not saved yet are lost; the current version stays in the list.`}</p>
          <div className="modal-buttons">
            <button type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void restore(confirming)}>
              Restore
            </button>
          </div>
        </div>
      ) : (
        <table className="revisions">
          <thead>
            <tr>
              <th>Time</th>
              <th>Author</th>
              <th>Kind</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {revisions?.map((r, i) => (
              <tr key={r.id} data-testid="revision-row">
                <td>{new Date(r.created).toLocaleString()}</td>
                <td>{r.author}</td>
                <td>{KIND[r.kind]}</td>
                <td>
                  {i === 0 ? (
                    "current"
                  ) : (
                    <button type="button" onClick={() => setConfirming(r)}>
                      Restore…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="dialog" className="modal-buttons">
        <button type="submit">Close</button>
      </form>
    </ModalDialog>
  );
}
