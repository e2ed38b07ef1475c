// H5Web, built apart from the Next app (esbuild, React 18: H5Web's react-three-fiber needs it) and
// served at /h5web/?file=<path in the data root>. It reads through the server's h5grove API, which
// sends only the slices shown (issue 6). The data page embeds it in an iframe; this page tells its
// parent which entity the H5Web explorer selected, for "Insert code to load this dataset".

import "@h5web/app/dist/styles.css";
import "./page.css";
import { App, H5GroveProvider } from "@h5web/app";
import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { checkFile, GROVE_URL } from "./grove";
import { watchSelection } from "./selection";

const filePath = new URLSearchParams(location.search).get("file") ?? "";
const fileName = filePath.slice(filePath.lastIndexOf("/") + 1);

function Viewer() {
  const [state, setState] = useState<"checking" | "ok" | { error: string }>("checking");

  useEffect(() => {
    checkFile(filePath).then(
      () => setState("ok"),
      (e: unknown) => setState({ error: e instanceof Error ? e.message : String(e) }),
    );
  }, []);
  useEffect(() => watchSelection(filePath), []);

  if (typeof state === "object") return <p role="alert" className="message">{`Could not open ${filePath}: ${state.error}`}</p>;
  if (state === "checking") return <p className="message">Opening {filePath}…</p>;
  return (
    <H5GroveProvider url={GROVE_URL} filepath={filePath}>
      <App disableDarkMode />
    </H5GroveProvider>
  );
}

document.title = `${fileName} · H5Web`;
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Viewer />
  </StrictMode>,
);
