"use client";

import ModalDialog from "./ModalDialog";

/** Restarting loses the kernel's variables, so it is confirmed first, as in JupyterLab. `runAll`: then every cell runs. */
export default function RestartDialog({ onRestart, onClose, runAll = false }: { onRestart: () => void; onClose: () => void; runAll?: boolean }) {
  const title = runAll ? "Restart kernel and run all cells?" : "Restart kernel?";
  return (
    <ModalDialog label={title} testId="restart-dialog" onClose={onClose}>
      <h2>{title}</h2>
      <p>
        {runAll
          ? "Do you want to restart the kernel and run every cell? All variables will be lost."
          : "Do you want to restart the kernel? All variables will be lost."}
      </p>
      <form method="dialog" className="modal-buttons">
        <button type="submit" autoFocus>
          Cancel
        </button>
        <button type="submit" className="danger" onClick={onRestart}>
          {runAll ? "Restart and run all" : "Restart"}
        </button>
      </form>
    </ModalDialog>
  );
}
