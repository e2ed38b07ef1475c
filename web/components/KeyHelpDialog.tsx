"use client";

import { KEY_BINDINGS } from "../lib/commandKeys";
import ModalDialog from "./ModalDialog";

/** H in command mode: every key binding of the notebook page. */
export default function KeyHelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <ModalDialog label="Keyboard shortcuts" testId="key-help" onClose={onClose}>
      <h2>Keyboard shortcuts</h2>
      <table className="key-help">
        <tbody>
          {KEY_BINDINGS.map(({ mode, keys, does }) => (
            <tr key={`${mode} ${keys}`}>
              <td>{mode}</td>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog" className="modal-buttons">
        <button type="submit" autoFocus>
          Close
        </button>
      </form>
    </ModalDialog>
  );
}
