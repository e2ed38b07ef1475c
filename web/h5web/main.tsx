// H5Web, built apart from the Next app (esbuild, React 18: H5Web's react-three-fiber needs it) and
// served at /h5web/?file=<path in the data root>. The data page embeds it in an iframe; this page
// tells its parent which entity the H5Web explorer selected, for "Insert code to load this dataset".

import '@h5web/app/dist/styles.css';
import './page.css';
import { App } from '@h5web/app';
import { H5WasmLocalFileProvider } from '@h5web/h5wasm';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { dataApiPath } from '../lib/dataApi';
import { download } from './download';
import { getPlugin } from './plugins';
import { watchSelection } from './selection';

const filePath = new URLSearchParams(location.search).get('file') ?? '';
const fileName = filePath.slice(filePath.lastIndexOf('/') + 1);

function Viewer() {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // The whole file, once (same origin: the session cookie authenticates it); the provider's worker
    // then reads it slice by slice, so it need not fit in WebAssembly memory. The address is relative
    // to this page (/h5web/), so a base path in front of the server still works.
    download(`../${dataApiPath('files', filePath)}`, fileName, setProgress).then(setFile, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  useEffect(() => watchSelection(filePath), []);

  if (error) return <p role="alert" className="message">{`Could not open ${filePath}: ${error}`}</p>;
  if (!file) {
    return (
      <p className="message">
        Opening {filePath}… <progress value={progress} aria-label={`Downloading ${fileName}`} />
      </p>
    );
  }
  return (
    <H5WasmLocalFileProvider file={file} getPlugin={getPlugin}>
      <App disableDarkMode />
    </H5WasmLocalFileProvider>
  );
}

document.title = `${fileName} · H5Web`;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Viewer />
  </StrictMode>,
);
