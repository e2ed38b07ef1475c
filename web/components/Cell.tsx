'use client';

import { memo, useEffect, useMemo, useRef, type Dispatch } from 'react';
import { executionSeconds, isCellKind, newCellId, type Cell as CellModel, type CellKind, type FocusRequest, type NotebookAction } from '../lib/notebookModel';
import { renderMarkdown } from '../lib/sanitize';
import type { KernelHelp } from '../lib/kernelHelp';
import CodeEditor, { type EditorExit, type EditorLanguage, type RunMode } from './CodeEditor';
import OutputArea from './OutputArea';
import StdinPrompt from './StdinPrompt';

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
  /** The latest focus request, if it is for this cell. */
  focus: FocusRequest | undefined;
  dispatch: Dispatch<NotebookAction>;
  onRun: (id: string, source: string, mode: RunMode) => void;
  onExitEditor: (id: string, exit: EditorExit) => void;
  drag: CellDrag;
  /** Where the dragged cell would land if dropped on this one: shown as a marker line. */
  dropSide: 'before' | 'after' | undefined;
  help: KernelHelp | undefined;
}

function prompt(cell: CellModel): string {
  if (cell.kind !== 'code') return '';
  if (cell.running) return '[*]:';
  return `[${cell.executionCount ?? ' '}]:`;
}

/** Wall time of the last run, as JupyterLab's execute-time extension shows it. */
function timing(cell: CellModel): string {
  if (cell.kind !== 'code') return '';
  if (cell.running) return 'running';
  const seconds = executionSeconds(cell);
  if (seconds === null) return '';
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

function language(kind: CellKind): EditorLanguage {
  return kind === 'code' ? 'typescript' : kind === 'markdown' ? 'markdown' : 'plain';
}

function RenderedMarkdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  if (source.trim() === '') return <div className="markdown-empty">Empty markdown cell. Double-click to edit.</div>;
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Our own drag data type, so dropped text or files (which the editors take) are never taken for a cell. */
const CELL_DRAG_TYPE = 'application/x-lightbook-cell';

function Cell({ cell, number, isFirst, isLast, selected, focus, dispatch, onRun, onExitEditor, drag, dropSide, help }: Props) {
  const { id } = cell;
  const rendered = cell.kind === 'markdown' && !cell.editing;
  const container = useRef<HTMLDivElement>(null);

  // Command mode focuses the cell itself (so do rendered markdown cells, which have no editor).
  // Only a new request (nonce) moves focus, so rendering during Run all does not steal it.
  const cellFocusNonce = focus && (focus.target === 'cell' || rendered) ? focus.nonce : undefined;
  useEffect(() => {
    if (cellFocusNonce !== undefined) container.current?.focus();
  }, [cellFocusNonce]);
  const editorFocusNonce = focus?.target === 'editor' ? focus.nonce : undefined;
  const seconds = timing(cell);

  return (
    <div
      ref={container}
      data-testid="cell"
      data-cell-id={id}
      data-cell-type={cell.kind}
      data-selected={selected}
      data-drop-side={dropSide}
      role="group"
      aria-label={`Cell ${number}`}
      className={`cell cell-${cell.kind}${selected ? ' cell-selected' : ''}`}
      tabIndex={selected ? 0 : -1}
      onFocus={() => !selected && dispatch({ type: 'select', id })}
      onMouseDown={() => !selected && dispatch({ type: 'select', id })}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(CELL_DRAG_TYPE)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
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
            e.dataTransfer.effectAllowed = 'move';
            drag.start(id);
          }}
          onDragEnd={drag.end}
        >
          ⠿
        </button>
        <div className="cell-prompt" data-testid="execution-count">
          {prompt(cell)}
        </div>
      </div>
      <div className="cell-body">
        {rendered ? (
          <div className="markdown-rendered" onDoubleClick={() => dispatch({ type: 'set-editing', id, editing: true })}>
            <RenderedMarkdown source={cell.source} />
          </div>
        ) : (
          <CodeEditor
            initialValue={cell.source}
            language={language(cell.kind)}
            label={`Cell ${number} input`}
            focusNonce={editorFocusNonce}
            onChange={(source) => dispatch({ type: 'edit', id, source })}
            onRun={(source, mode) => onRun(id, source, mode)}
            onExit={(exit) => onExitEditor(id, exit)}
            help={cell.kind === 'code' ? help : undefined}
          />
        )}
        {seconds && (
          <div className="cell-timing" data-testid="cell-timing">
            {seconds}
          </div>
        )}
        {cell.kind === 'code' && (
          <OutputArea outputs={cell.outputs}>
            {cell.input && (
              <StdinPrompt
                request={cell.input}
                onAnswer={(request, value) => {
                  request.reply(value);
                  dispatch({ type: 'input-answered', inputId: request.id, value });
                }}
              />
            )}
          </OutputArea>
        )}
      </div>
      <div className="cell-actions">
        <select
          aria-label={`Cell ${number} type`}
          value={cell.kind}
          onChange={(e) => {
            const kind = e.target.value;
            if (isCellKind(kind)) dispatch({ type: 'set-kind', id, kind, newId: newCellId() });
          }}
        >
          <option value="code">Code</option>
          <option value="markdown">Markdown</option>
          <option value="raw">Raw</option>
        </select>
        <button type="button" aria-label={`Move cell ${number} up`} title="Move up" disabled={isFirst} onClick={() => dispatch({ type: 'move', id, delta: -1 })}>
          ↑
        </button>
        <button type="button" aria-label={`Move cell ${number} down`} title="Move down" disabled={isLast} onClick={() => dispatch({ type: 'move', id, delta: 1 })}>
          ↓
        </button>
        <button type="button" aria-label={`Delete cell ${number}`} title="Delete cell" onClick={() => dispatch({ type: 'delete', id })}>
          ✕
        </button>
      </div>
    </div>
  );
}

export default memo(Cell);
