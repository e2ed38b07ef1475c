'use client';

// An HDF5/NeXus file: its tree, the selected entity's attributes and shape, and a heatmap of a
// frame of image datasets. Opens on the NeXus default plot when the file declares one.

import { useEffect, useMemo, useState } from 'react';
import { Hdf5File, type H5Entity } from '../lib/hdf5';
import { errorMessage, readDataFile } from '../lib/jupyter';
import { loadDatasetCode } from '../lib/loadCode';
import Heatmap from './Heatmap';

interface Props {
  /** Relative to the data root. */
  dataPath: string;
  /** Present where a notebook can take the code (the editor's data panel). */
  onInsertCode?: (code: string) => void;
}

function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return ['/', ...parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

function TreeNode({ file, path, selected, expanded, onSelect, onToggle }: { file: Hdf5File; path: string; selected: string; expanded: Set<string>; onSelect: (p: string) => void; onToggle: (p: string) => void }) {
  const entity = file.entity(path);
  const open = expanded.has(path);
  return (
    <li>
      <div className={`tree-row${selected === path ? ' tree-row-selected' : ''}`}>
        {entity.kind === 'group' ? (
          <button type="button" className="tree-toggle" aria-label={`${open ? 'Collapse' : 'Expand'} ${entity.name}`} aria-expanded={open} onClick={() => onToggle(path)}>
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="tree-toggle" />
        )}
        <button type="button" className="tree-name" aria-current={selected === path ? 'true' : undefined} onClick={() => onSelect(path)}>
          {entity.name}
        </button>
      </div>
      {entity.kind === 'group' && open && (
        <ul className="tree">
          {entity.children.map((child) => (
            <TreeNode key={child} file={file} path={child} selected={selected} expanded={expanded} onSelect={onSelect} onToggle={onToggle} />
          ))}
        </ul>
      )}
    </li>
  );
}

function Details({ entity }: { entity: H5Entity }) {
  return (
    <>
      <h3 className="entity-path">{entity.path}</h3>
      {entity.kind === 'dataset' && (
        <p className="entity-shape" data-testid="dataset-shape">
          {entity.dtype} [{entity.shape.join(' × ')}]
        </p>
      )}
      {entity.attrs.length > 0 && (
        <table className="attributes" aria-label="Attributes">
          <tbody>
            {entity.attrs.map((a) => (
              <tr key={a.name}>
                <th scope="row">{a.name}</th>
                <td>{a.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function ImageView({ file, path }: { file: Hdf5File; path: string }) {
  const count = file.frameCount(path);
  const [index, setIndex] = useState(0);
  const [log, setLog] = useState(true);
  const frame = useMemo(() => file.frame(path, Math.min(index, count - 1)), [file, path, index, count]);
  return (
    <div className="image-view">
      <div className="image-controls">
        {count > 1 && (
          <label>
            Frame {index + 1} of {count}
            <input type="range" aria-label="Frame" min={0} max={count - 1} value={index} onChange={(e) => setIndex(Number(e.target.value))} />
          </label>
        )}
        <label>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        <span className="image-range">
          min {frame.min.toLocaleString('en')} · max {frame.max.toLocaleString('en')}
        </span>
      </div>
      <Heatmap frame={frame} log={log} label={`Frame ${index + 1} of ${path}`} />
    </div>
  );
}

export default function Hdf5View({ dataPath, onInsertCode }: Props) {
  const [file, setFile] = useState<Hdf5File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState('/');
  const [expanded, setExpanded] = useState(new Set(['/']));

  useEffect(() => {
    let opened: Hdf5File | null = null;
    let cancelled = false;
    setFile(null);
    setError(null);
    readDataFile(dataPath)
      .then((bytes) => Hdf5File.open(bytes))
      .then(
        (h5) => {
          if (cancelled) return h5.close();
          opened = h5;
          const start = h5.defaultPlot() ?? '/';
          setSelected(start);
          setExpanded(new Set([...ancestors(start), start]));
          setFile(h5);
        },
        (e: unknown) => !cancelled && setError(errorMessage(e)),
      );
    return () => {
      cancelled = true;
      opened?.close();
    };
  }, [dataPath]);

  if (error) return <p className="notice" role="alert">{`Could not open ${dataPath}: ${error}`}</p>;
  if (!file) return <p className="page-message">Opening {dataPath}…</p>;

  const entity = file.entity(selected);
  const toggle = (path: string) =>
    setExpanded((old) => {
      const next = new Set(old);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  return (
    <div className="hdf5-view" data-testid="hdf5-view">
      <nav aria-label="HDF5 tree" className="hdf5-tree">
        <ul className="tree">
          <TreeNode file={file} path="/" selected={selected} expanded={expanded} onSelect={setSelected} onToggle={toggle} />
        </ul>
      </nav>
      <section className="hdf5-details" aria-label="Selected entity">
        <Details entity={entity} />
        {entity.kind === 'dataset' && onInsertCode && (
          <button type="button" onClick={() => onInsertCode(loadDatasetCode(dataPath, entity.path))}>
            Insert code to load this dataset
          </button>
        )}
        {file.isImage(selected) && <ImageView key={selected} file={file} path={selected} />}
      </section>
    </div>
  );
}
