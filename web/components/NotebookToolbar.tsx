import type { ReactNode } from "react";
import {
  VscAdd,
  VscClearAll,
  VscDatabase,
  VscDebugRerun,
  VscDebugRestart,
  VscDebugStop,
  VscExport,
  VscFiles,
  VscListTree,
  VscPlay,
  VscRunAbove,
  VscRunAll,
  VscRunBelow,
  VscSave,
  VscScreenFull,
  VscHistory,
} from "react-icons/vsc";
import type { SaveState } from "../lib/useNotebookSave";
import { NOTEBOOK_WIDTHS, type NotebookWidth } from "../lib/useViewSettings";
import KernelStatusBadge, { type KernelDisplayStatus } from "./KernelStatusBadge";
import NotebookTitle from "./NotebookTitle";
import ToolbarMenu from "./ToolbarMenu";

/** Jupyter's modes: keys act on whole cells (command) or type into one (edit). */
export type NotebookMode = "command" | "edit";

/** What the side panel beside the notebook shows. */
export type SidePanel = "files" | "contents";

interface Props {
  name: string;
  onRename: (newName: string) => Promise<void>;
  saveState: SaveState;
  canRun: boolean;
  onRun: () => void;
  onRunAll: () => void;
  onRunAbove: () => void;
  onRunBelow: () => void;
  mode: NotebookMode;
  onInterrupt: () => void;
  onRestart: () => void;
  onRestartRunAll: () => void;
  onSave: () => void;
  onAddCell: () => void;
  onClearOutput: () => void;
  onClearAllOutputs: () => void;
  onDownloadIpynb: () => void;
  onExportHtml: () => void;
  onShowRevisions: () => void;
  dataPanelOpen: boolean;
  onToggleDataPanel: () => void;
  sidePanel: SidePanel | null;
  onSidePanel: (panel: SidePanel | null) => void;
  width: NotebookWidth;
  onWidth: (width: NotebookWidth) => void;
  kernelStatus: KernelDisplayStatus;
  kernelLabel: string;
}

const SAVE_STATE_TEXT: Record<SaveState, string> = { saved: "Saved", unsaved: "Unsaved changes", saving: "Saving…", conflict: "Not saved: changed elsewhere" };

/** A toolbar button drawn as an SVG icon (no icon font), named for screen readers and tests by `label`. */
function IconButton({
  label,
  title,
  icon,
  ...rest
}: {
  label: string;
  title: string;
  icon: ReactNode;
  onClick: () => void;
  disabled?: boolean;
  pressed?: boolean;
}) {
  return (
    <button type="button" aria-label={label} title={title} onClick={rest.onClick} disabled={rest.disabled} aria-pressed={rest.pressed}>
      {icon}
    </button>
  );
}

export default function NotebookToolbar(props: Props) {
  const { saveState, canRun } = props;
  const panelButton = (panel: SidePanel, label: string, title: string, icon: ReactNode) => (
    <IconButton
      label={label}
      title={title}
      icon={icon}
      pressed={props.sidePanel === panel}
      onClick={() => props.onSidePanel(props.sidePanel === panel ? null : panel)}
    />
  );
  return (
    <div className="toolbar">
      <NotebookTitle name={props.name} onRename={props.onRename} />
      {/* A fixed width, so the buttons after it do not move when the save state changes. */}
      <span className={`save-state save-state-${saveState}`} data-testid="save-state" data-state={saveState} title={SAVE_STATE_TEXT[saveState]}>
        {SAVE_STATE_TEXT[saveState]}
      </span>
      <div className="toolbar-buttons">
        <IconButton label="Save" title="Save (Ctrl-S)" icon={<VscSave className="icon" />} onClick={props.onSave} disabled={saveState === "saving"} />
        <ToolbarMenu label="Export" icon={<VscExport className="icon" />}>
          <button type="button" onClick={props.onDownloadIpynb} title="Download as a Jupyter notebook (nbformat 4)">
            Download .ipynb
          </button>
          <button type="button" onClick={props.onExportHtml} title="Download a static HTML page of the notebook with its outputs">
            Export HTML
          </button>
          <button type="button" onClick={() => window.print()} title="Print the notebook without the toolbar; choose “Save as PDF” as the printer for a PDF">
            Print / PDF
          </button>
        </ToolbarMenu>
        <IconButton
          label="Revisions"
          title="Revisions: earlier versions of this notebook; restore one"
          icon={<VscHistory className="icon" />}
          onClick={props.onShowRevisions}
        />
        {panelButton("files", "Files", "Notebooks in this folder", <VscFiles className="icon" />)}
        {panelButton("contents", "Table of contents", "Table of contents (markdown headings)", <VscListTree className="icon" />)}
        <IconButton
          label="Data"
          title="Browse the data root and insert code to load a dataset"
          icon={<VscDatabase className="icon" />}
          pressed={props.dataPanelOpen}
          onClick={props.onToggleDataPanel}
        />
        <IconButton label="Add cell" title="Add a code cell below the selected one (B)" icon={<VscAdd className="icon" />} onClick={props.onAddCell} />
        <ToolbarMenu label="Clear" icon={<VscClearAll className="icon" />}>
          <button type="button" onClick={props.onClearOutput} title="Clear the output and execution count of the selected cell">
            Clear cell output
          </button>
          <button type="button" onClick={props.onClearAllOutputs} title="Clear the outputs and execution counts of every cell">
            Clear all outputs
          </button>
        </ToolbarMenu>
        {[
          {
            label: "Run",
            title: "Run the selected cell (Ctrl-Enter; Shift-Enter runs and moves on)",
            icon: <VscPlay className="icon" />,
            onClick: props.onRun,
          },
          { label: "Run all", title: "Run all cells", icon: <VscRunAll className="icon" />, onClick: props.onRunAll },
          { label: "Run above", title: "Run the cells above the selected one", icon: <VscRunAbove className="icon" />, onClick: props.onRunAbove },
          { label: "Run below", title: "Run the selected cell and those below it", icon: <VscRunBelow className="icon" />, onClick: props.onRunBelow },
          { label: "Interrupt kernel", title: "Interrupt the kernel (I I)", icon: <VscDebugStop className="icon" />, onClick: props.onInterrupt },
          { label: "Restart kernel", title: "Restart the kernel (0 0)", icon: <VscDebugRestart className="icon" />, onClick: props.onRestart },
          {
            label: "Restart kernel and run all",
            title: "Restart the kernel, then run every cell",
            icon: <VscDebugRerun className="icon" />,
            onClick: props.onRestartRunAll,
          },
        ].map((button) => (
          // These need a kernel.
          <IconButton key={button.label} {...button} disabled={!canRun} />
        ))}
        <ToolbarMenu label="Width" icon={<VscScreenFull className="icon" />} title="Width of the notebook column">
          {NOTEBOOK_WIDTHS.map((width) => (
            <button key={width} type="button" aria-pressed={props.width === width} onClick={() => props.onWidth(width)}>
              {`${width[0]!.toUpperCase()}${width.slice(1)} width`}
            </button>
          ))}
        </ToolbarMenu>
      </div>
      <span className={`notebook-mode notebook-mode-${props.mode}`} data-testid="notebook-mode" title="Esc: command mode; Enter: edit mode">
        {props.mode === "command" ? "Command" : "Edit"}
      </span>
      <KernelStatusBadge status={props.kernelStatus} kernelLabel={props.kernelLabel} />
    </div>
  );
}
