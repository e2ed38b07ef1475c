"use client";

// An HDF5/NeXus file in H5Web (tree, attributes, NeXus default plot, heatmap/line/matrix views).
// H5Web needs React 18, so it runs as its own page (/h5web/, built from web/h5web) in an iframe;
// that page reports the explorer's selection, for "Insert code to load this dataset".

import { useEffect, useRef, useState } from "react";
import { isH5WebSelection, type H5WebSelection } from "../lib/h5webSelection";
import { loadDatasetCode } from "../lib/loadCode";

interface Props {
  /** Relative to the data root. */
  dataPath: string;
  /** Present where a notebook can take the code (the editor's data panel). */
  onInsertCode?: (code: string) => void;
}

export default function Hdf5View({ dataPath, onInsertCode }: Props) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [selection, setSelection] = useState<H5WebSelection | null>(null);

  useEffect(() => {
    setSelection(null);
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow || event.origin !== location.origin) return;
      if (isH5WebSelection(event.data) && event.data.file === dataPath) setSelection(event.data);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [dataPath]);

  const dataset = selection?.kind === "dataset" ? selection.path : null;
  return (
    <div className="hdf5-view" data-testid="hdf5-view">
      {onInsertCode && (
        <div className="hdf5-actions">
          <button type="button" disabled={!dataset} onClick={() => dataset && onInsertCode(loadDatasetCode(dataPath, dataset))}>
            Insert code to load this dataset
          </button>
          <span className="hdf5-selection">{dataset ?? "Select a dataset in the tree"}</span>
        </div>
      )}
      <iframe ref={frame} className="h5web-frame" title={`H5Web: ${dataPath}`} src={`/h5web/?file=${encodeURIComponent(dataPath)}`} />
    </div>
  );
}
