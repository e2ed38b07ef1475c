'use client';

import { memo, useEffect, useMemo, useRef, type Dispatch, type KeyboardEvent } from 'react';
import { isCellKind, newCellId, type Cell as CellModel, type CellKind, type NotebookAction } from '../lib/notebookModel';
import { renderMarkdown } from '../lib/sanitize';
import CodeEditor, { type EditorLanguage, type RunMode } from './CodeEditor';
import OutputArea from './OutputArea';

interface Props {
  cell: CellModel;
  /** 1-based position, used in accessible names. */
  number: number;
  isFirst: boolean;
  isLast: boolean;
  selected: boolean;
  focusNonce: number | undefined;
  dispatch: Dispatch<NotebookAction>;
  onRun: (id: string, source: string, mode: RunMode) => void;
}

function prompt(cell: CellModel): string {
  if (cell.kind !== 'code') return '';
  if (cell.running) return '[*]:';
  return `[${cell.executionCount ?? ' '}]:`;
}

function language(kind: CellKind): EditorLanguage {
  return kind === 'code' ? 'typescript' : kind === 'markdown' ? 'markdown' : 'plain';
}

function RenderedMarkdown({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  if (source.trim() === '') return <div className="markdown-empty">Empty markdown cell. Double-click to edit.</div>;
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}

function Cell({ cell, number, isFirst, isLast, selected, focusNonce, dispatch, onRun }: Props) {
  const { id } = cell;
  const rendered = cell.kind === 'markdown' && !cell.editing;
  const container = useRef<HTMLDivElement>(null);

  // A rendered markdown cell has no editor, so focus requests land on the cell itself. Only a new
  // request (nonce) moves focus; `rendered` is deliberately not a dependency, so rendering during
  // Run all does not steal focus.
  useEffect(() => {
    if (focusNonce !== undefined && rendered) container.current?.focus();
  }, [focusNonce]);

  // Keys on a rendered markdown cell itself (its editor handles its own keys).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!rendered || event.target !== event.currentTarget || event.key !== 'Enter') return;
    event.preventDefault();
    if (event.shiftKey) onRun(id, cell.source, 'advance');
    else if (event.ctrlKey || event.metaKey) onRun(id, cell.source, 'in-place');
    else dispatch({ type: 'set-editing', id, editing: true });
  };

  return (
    <div
      ref={container}
      data-testid="cell"
      data-cell-type={cell.kind}
      data-selected={selected}
      role="group"
      aria-label={`Cell ${number}`}
      className={`cell cell-${cell.kind}${selected ? ' cell-selected' : ''}`}
      tabIndex={rendered ? 0 : -1}
      onFocus={() => !selected && dispatch({ type: 'select', id })}
      onMouseDown={() => !selected && dispatch({ type: 'select', id })}
      onKeyDown={onKeyDown}
    >
      <div className="cell-prompt" data-testid="execution-count">
        {prompt(cell)}
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
            focusNonce={focusNonce}
            onChange={(source) => dispatch({ type: 'edit', id, source })}
            onRun={(source, mode) => onRun(id, source, mode)}
          />
        )}
        {cell.kind === 'code' && <OutputArea outputs={cell.outputs} />}
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
