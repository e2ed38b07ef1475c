"use client";

import { memo, useEffect, useMemo, useRef, useState, type Dispatch, type SyntheticEvent } from "react";
import { VscArrowDown, VscArrowUp, VscClose, VscGripper, VscTag } from "react-icons/vsc";
import { executionSeconds, isCellKind, newCellId, type Cell as CellModel, type CellKind, type FocusRequest, type NotebookAction } from "../lib/notebookModel";
import { isHidden, withHidden, type HiddenPart } from "../lib/cellView";
import { renderMarkdown } from "../lib/sanitize";
import { base64Of, freeAttachmentName, imageFiles, MAX_ATTACHMENT_BYTES } from "../lib/attachments";
import type { Attachments } from "../../contracts/notebook";
import type { KernelHelp } from "../lib/kernelHelp";
import CellMetadataDialog, { cellTags } from "./CellMetadataDialog";
import CodeEditor, { type EditorExit, type EditorLanguage, type RunMode } from "./CodeEditor";
import OutputArea from "./OutputArea";
import StdinPrompt from "./StdinPrompt";

/** Dragging cells by their handle: the notebook tracks which cell is dragged and where it would land. */
export interface CellDrag {
  start: (id: string) => void;
  over: (id: string) => void;
  end: () => void;
  drop: (draggedId: string, targetId: string) => void;
}

interface Props {
  cell: CellModel;
  /** 1-based position, used in accessible names. */
  number: number;
  isFirst: boolean;
  isLast: boolean;
  selected: boolean;
  /** One of several selected cells (Shift-J/K, Shift-click, Ctrl-A); the active one is `selected`. */
  inSelection: boolean;
  /** The latest focus request, if it is for this cell. */
  focus: FocusRequest | undefined;
  dispatch: Dispatch<NotebookAction>;
  onRun: (id: string, source: string, mode: RunMode) => void;
  onExitEditor: (id: string, exit: EditorExit) => void;
  drag: CellDrag;
  /** Where the dragged cell would land if dropped on this one: shown as a marker line. */
  dropSide: "before" | "after" | undefined;
  help: KernelHelp | undefined;
  showLineNumbers: boolean;
}

function prompt(cell: CellModel): string {
  if (cell.kind !== "code") return "";
  if (cell.running) return "[*]:";
  return `[${cell.executionCount ?? " "}]:`;
}

/** Wall time of the last run, as JupyterLab's execute-time extension shows it. */
function timing(cell: CellModel): string {
  if (cell.kind !== "code") return "";
  if (cell.running) return "running";
  const seconds = executionSeconds(cell);
  if (seconds === null) return "";
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

function language(kind: CellKind): EditorLanguage {
  return kind === "code" ? "typescript" : kind === "markdown" ? "markdown" : "plain";
}

function RenderedMarkdown({ source, attachments }: { source: string; attachments: Attachments | undefined }) {
  const html = useMemo(() => renderMarkdown(source, attachments), [source, attachments]);
  if (source.trim() === "") return <div className="markdown-empty">Empty markdown cell. Double-click to edit.</div>;
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Our own drag data type, so dropped text or files (which the editors take) are never taken for a cell. */
const CELL_DRAG_TYPE = "application/x-lightbook-cell";

function Cell({ cell, number, isFirst, isLast, selected, inSelection, focus, dispatch, onRun, onExitEditor, drag, dropSide, help, showLineNumbers }: Props) {
  const { id } = cell;
  const rendered = cell.kind === "markdown" && !cell.editing;
  const container = useRef<HTMLDivElement>(null);

  // Command mode focuses the cell itself (so do rendered markdown cells, which have no editor).
  // Only a new request (nonce) moves focus, so rendering during Run all does not steal it.
  const cellFocusNonce = focus && (focus.target === "cell" || rendered) ? focus.nonce : undefined;
  useEffect(() => {
    if (cellFocusNonce !== undefined) container.current?.focus();
  }, [cellFocusNonce]);
  const editorFocusNonce = focus?.target === "editor" ? focus.nonce : undefined;
  const seconds = timing(cell);
  const [editingMetadata, setEditingMetadata] = useState(false);
  const tags = cellTags(cell.metadata);
  const [attachError, setAttachError] = useState<string | null>(null);

  // Images pasted or dropped into a markdown cell's editor are stored in the cell and referenced from its text.
  const attachImages = (event: SyntheticEvent, data: DataTransfer | null) => {
    const files = imageFiles(data);
    if (files.length === 0 || cell.kind === "code") return;
    event.preventDefault();
    event.stopPropagation();
    const host = event.currentTarget;
    void (async () => {
      const references: string[] = [];
      let attachments = cell.attachments;
      for (const file of files) {
        if (file.size > MAX_ATTACHMENT_BYTES) {
          setAttachError(`${file.name} is over ${MAX_ATTACHMENT_BYTES / 2 ** 20} MiB: attachments are saved inside the notebook.`);
          continue;
        }
        const name = freeAttachmentName(attachments, file.name);
        const bundle = { [file.type]: await base64Of(file) };
        attachments = { ...attachments, [name]: bundle };
        dispatch({ type: "add-attachment", id, name, bundle });
        references.push(`![${name}](attachment:${encodeURIComponent(name)})`);
      }
      if (references.length === 0) return;
      setAttachError(null);
      // The editor owns its text: typing the reference in (as the user would) keeps its undo history and cursor.
      host.querySelector<HTMLElement>(".cm-content")?.focus();
      document.execCommand("insertText", false, references.join("\n"));
    })();
  };
  const sourceHidden = isHidden(cell, "source");
  const outputsHidden = isHidden(cell, "outputs");
  // JupyterLab's collapsers: the bar beside the input or the output hides and shows it.
  const collapser = (part: HiddenPart, hidden: boolean, what: string) => (
    <button
      type="button"
      className="cell-collapser"
      aria-label={`${hidden ? "Show" : "Hide"} cell ${number} ${what}`}
      aria-expanded={!hidden}
      title={`${hidden ? "Show" : "Hide"} the ${what}`}
      onClick={() => dispatch({ type: "set-metadata", id, metadata: withHidden(cell, part, !hidden) })}
    />
  );

  return (
    <div
      ref={container}
      data-testid="cell"
      data-cell-id={id}
      data-cell-type={cell.kind}
      data-selected={selected}
      data-in-selection={inSelection}
      data-drop-side={dropSide}
      role="group"
      aria-label={`Cell ${number}`}
      className={`cell cell-${cell.kind}${selected ? " cell-selected" : ""}${inSelection ? " cell-in-selection" : ""}`}
      tabIndex={selected ? 0 : -1}
      onFocus={() => !selected && dispatch({ type: "select", id })}
      onMouseDown={(e) => {
        if (selected) return;
        if (!e.shiftKey) return dispatch({ type: "select", id });
        // Shift-click extends the selection, as in JupyterLab, instead of selecting text or editing.
        e.preventDefault();
        dispatch({ type: "extend-selection", to: id });
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(CELL_DRAG_TYPE)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        drag.over(id);
      }}
      onDrop={(e) => {
        const dragged = e.dataTransfer.getData(CELL_DRAG_TYPE);
        if (!dragged) return;
        e.preventDefault();
        drag.drop(dragged, id);
      }}
    >
      <div className="cell-gutter">
        <button
          type="button"
          className="cell-drag-handle"
          aria-label={`Drag cell ${number}`}
          title="Drag to move"
          draggable
          onDragStart={(e) => {
            e.dataTransfer.setData(CELL_DRAG_TYPE, id);
            e.dataTransfer.effectAllowed = "move";
            drag.start(id);
          }}
          onDragEnd={drag.end}
        >
          <VscGripper className="icon" aria-hidden />
        </button>
        <div className="cell-prompt" data-testid="execution-count">
          {prompt(cell)}
        </div>
      </div>
      <div className="cell-body">
        <div className="cell-part">
          {collapser("source", sourceHidden, "input")}
          {sourceHidden ? (
            <div
              className="cell-hidden"
              data-testid="input-hidden"
              onDoubleClick={() => dispatch({ type: "set-metadata", id, metadata: withHidden(cell, "source", false) })}
            >
              Input hidden
            </div>
          ) : rendered ? (
            <div className="markdown-rendered" onDoubleClick={() => dispatch({ type: "set-editing", id, editing: true })}>
              <RenderedMarkdown source={cell.source} attachments={cell.attachments} />
            </div>
          ) : (
            <div
              className="cell-editor-host"
              onPasteCapture={cell.kind === "markdown" ? (e) => attachImages(e, e.clipboardData) : undefined}
              onDropCapture={cell.kind === "markdown" ? (e) => attachImages(e, e.dataTransfer) : undefined}
            >
              <CodeEditor
                initialValue={cell.source}
                language={language(cell.kind)}
                label={`Cell ${number} input`}
                focusNonce={editorFocusNonce}
                onChange={(source) => dispatch({ type: "edit", id, source })}
                onRun={(source, mode) => onRun(id, source, mode)}
                onExit={(exit) => onExitEditor(id, exit)}
                onSplit={(ranges) => dispatch({ type: "split", id, ranges, newIds: Array.from({ length: 2 * ranges.length + 1 }, newCellId) })}
                help={cell.kind === "code" ? help : undefined}
                showLineNumbers={showLineNumbers}
                eager={selected}
              />
              {attachError && (
                <p className="notice" role="alert">
                  {attachError}
                </p>
              )}
            </div>
          )}
        </div>
        {tags.length > 0 && (
          <ul className="cell-tags" aria-label={`Cell ${number} tags`}>
            {tags.map((tag) => (
              <li key={tag}>{tag}</li>
            ))}
          </ul>
        )}
        {seconds && (
          <div className="cell-timing" data-testid="cell-timing">
            {seconds}
          </div>
        )}
        {cell.kind === "code" && (
          <div className="cell-part">
            {collapser("outputs", outputsHidden, "output")}
            <OutputArea outputs={cell.outputs} hidden={outputsHidden}>
              {cell.input && (
                <StdinPrompt
                  request={cell.input}
                  onAnswer={(request, value) => {
                    request.reply(value);
                    dispatch({ type: "input-answered", inputId: request.id, value });
                  }}
                />
              )}
            </OutputArea>
          </div>
        )}
      </div>
      <div className="cell-actions">
        <select
          aria-label={`Cell ${number} type`}
          value={cell.kind}
          onChange={(e) => {
            const kind = e.target.value;
            if (isCellKind(kind)) dispatch({ type: "set-kind", id, kind, newId: newCellId() });
          }}
        >
          <option value="code">Code</option>
          <option value="markdown">Markdown</option>
          <option value="raw">Raw</option>
        </select>
        <button
          type="button"
          aria-label={`Move cell ${number} up`}
          title="Move up"
          disabled={isFirst}
          onClick={() => dispatch({ type: "move", id, delta: -1 })}
        >
          <VscArrowUp className="icon" aria-hidden />
        </button>
        <button
          type="button"
          aria-label={`Move cell ${number} down`}
          title="Move down"
          disabled={isLast}
          onClick={() => dispatch({ type: "move", id, delta: 1 })}
        >
          <VscArrowDown className="icon" aria-hidden />
        </button>
        <button
          type="button"
          aria-label={`Cell ${number} tags and metadata`}
          title="Tags and metadata"
          aria-haspopup="dialog"
          onClick={() => setEditingMetadata(true)}
        >
          <VscTag className="icon" aria-hidden />
        </button>
        <button
          type="button"
          aria-label={`Delete cell ${number}`}
          title="Delete cell"
          onClick={() => dispatch({ type: "delete", ids: [id], blankCellId: newCellId() })}
        >
          <VscClose className="icon" aria-hidden />
        </button>
      </div>
      {editingMetadata && (
        <CellMetadataDialog
          number={number}
          metadata={cell.metadata}
          onSave={(metadata) => dispatch({ type: "set-metadata", id, metadata })}
          onClose={() => setEditingMetadata(false)}
        />
      )}
    </div>
  );
}

export default memo(Cell);
