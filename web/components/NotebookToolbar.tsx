import type { SaveState } from '../lib/useNotebookSave';
import KernelStatusBadge, { type KernelDisplayStatus } from './KernelStatusBadge';

/** Jupyter's modes: keys act on whole cells (command) or type into one (edit). */
export type NotebookMode = 'command' | 'edit';

interface Props {
  name: string;
  saveState: SaveState;
  canRun: boolean;
  onRun: () => void;
  onRunAll: () => void;
  onRunAbove: () => void;
  onRunBelow: () => void;
  mode: NotebookMode;
  onInterrupt: () => void;
  onRestart: () => void;
  onSave: () => void;
  onAddCell: () => void;
  onDownloadIpynb: () => void;
  onExportHtml: () => void;
  dataPanelOpen: boolean;
  onToggleDataPanel: () => void;
  kernelStatus: KernelDisplayStatus;
  kernelLabel: string;
}

const SAVE_STATE_TEXT: Record<SaveState, string> = { saved: 'Saved', unsaved: 'Unsaved changes', saving: 'Saving…', conflict: 'Not saved: changed elsewhere' };

export default function NotebookToolbar(props: Props) {
  const { name, saveState, canRun } = props;
  return (
    <div className="toolbar">
      <h1 className="notebook-name" title={name}>
        {name}
      </h1>
      <span className={`save-state save-state-${saveState}`} data-testid="save-state" data-state={saveState}>
        {SAVE_STATE_TEXT[saveState]}
      </span>
      <div className="toolbar-buttons">
        <button type="button" onClick={props.onSave} disabled={saveState === 'saving'} title="Save (Ctrl-S)">
          Save
        </button>
        <details className="menu">
          <summary>Export</summary>
          <div className="menu-items">
            <button type="button" onClick={props.onDownloadIpynb} title="Download as a Jupyter notebook (nbformat 4)">
              Download .ipynb
            </button>
            <button type="button" onClick={props.onExportHtml} title="Download a static HTML page of the notebook with its outputs">
              Export HTML
            </button>
          </div>
        </details>
        <button type="button" aria-pressed={props.dataPanelOpen} onClick={props.onToggleDataPanel} title="Browse the data root and insert code to load a dataset">
          Data
        </button>
        <button type="button" onClick={props.onAddCell} title="Add a code cell below the selected one">
          Add cell
        </button>
        <button type="button" onClick={props.onRun} disabled={!canRun} title="Run the selected cell (Ctrl-Enter; Shift-Enter runs and moves on)">
          Run
        </button>
        <button type="button" onClick={props.onRunAll} disabled={!canRun}>
          Run all
        </button>
        <button type="button" onClick={props.onRunAbove} disabled={!canRun} title="Run the cells above the selected one">
          Run above
        </button>
        <button type="button" onClick={props.onRunBelow} disabled={!canRun} title="Run the selected cell and those below it">
          Run below
        </button>
        <button type="button" onClick={props.onInterrupt} disabled={!canRun} aria-label="Interrupt kernel">
          Interrupt
        </button>
        <button type="button" onClick={props.onRestart} disabled={!canRun} aria-label="Restart kernel">
          Restart
        </button>
      </div>
      <span className={`notebook-mode notebook-mode-${props.mode}`} data-testid="notebook-mode" title="Esc: command mode; Enter: edit mode">
        {props.mode === 'command' ? 'Command' : 'Edit'}
      </span>
      <KernelStatusBadge status={props.kernelStatus} kernelLabel={props.kernelLabel} />
    </div>
  );
}
