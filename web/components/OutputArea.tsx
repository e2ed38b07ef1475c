"use client";

import { memo, useMemo, useState, type ReactNode } from "react";
import { ansiToHtml } from "../lib/ansi";
import { errorText } from "../lib/renderMime";
import type { Output } from "../lib/outputs";
import MimeBundleView from "./MimeBundleView";

function Ansi({ text, className }: { text: string; className: string }) {
  const html = useMemo(() => ansiToHtml(text), [text]);
  return <pre className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** Longer streams show only their end until asked, so a cell printing 100k lines stays light. */
const SHOWN_LINES = 2000;

/** Where the last `lines` lines of `text` start (0 if it has no more than that). */
function tailStart(text: string, lines: number): number {
  let at = text.length;
  for (let i = 0; i <= lines; i++) {
    // lastIndexOf(…, -1) searches from 0 again: a text starting with "\n" (the kernel's truncation
    // note) would report "1 earlier lines hidden", a second banner under the real one.
    if (at === 0) return 0;
    at = text.lastIndexOf("\n", at - 1);
    if (at < 0) return 0;
  }
  return at + 1;
}

function countLines(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < end; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

function StreamText({ name, text }: { name: string; text: string }) {
  const [showAll, setShowAll] = useState(false);
  // A trailing \r only waits for the next chunk (see applyCarriageReturns); HTML would show it as a line break.
  const trimmed = text.replace(/\r$/, "");
  const start = showAll ? 0 : tailStart(trimmed, SHOWN_LINES);
  const hidden = useMemo(() => countLines(trimmed, start), [trimmed, start]);
  return (
    <>
      {hidden > 0 && (
        <div className="output-truncated" data-testid="output-truncated">
          <span>{hidden.toLocaleString("en")} earlier lines hidden.</span>
          <button type="button" onClick={() => setShowAll(true)}>
            Show all lines
          </button>
        </div>
      )}
      <Ansi className={`output-stream output-${name}`} text={start === 0 ? trimmed : trimmed.slice(start)} />
    </>
  );
}

function OutputItem({ output }: { output: Output }) {
  switch (output.output_type) {
    case "stream":
      return <StreamText name={output.name} text={output.text} />;
    case "error":
      return <Ansi className="output-error" text={errorText(output)} />;
    case "display_data":
      return <MimeBundleView data={output.data} metadata={output.metadata} />;
    case "execute_result":
      // JupyterLab's output prompt: which run's value this is.
      return (
        <div className="output-result">
          <div className="output-prompt" data-testid="output-prompt">{`Out[${output.execution_count ?? " "}]:`}</div>
          <MimeBundleView data={output.data} metadata={output.metadata} />
        </div>
      );
  }
}

/**
 * All outputs of one code cell; present (and empty) even before the first run. `children`: a pending input prompt, last.
 * `hidden`: collapsed to a line (O, or the bar beside it); a pending prompt still shows, since the run waits for it.
 */
function OutputArea({ outputs, hidden, children }: { outputs: Output[]; hidden: boolean; children?: ReactNode }) {
  if (hidden) {
    return (
      <div className="output-area output-area-hidden" data-testid="output" data-hidden="true">
        <div className="cell-hidden">{`Output hidden${outputs.length > 0 ? ` (${outputs.length.toLocaleString("en")} ${outputs.length === 1 ? "item" : "items"})` : ""}`}</div>
        {children}
      </div>
    );
  }
  return (
    <div className="output-area" data-testid="output">
      {outputs.map((output, i) => (
        // Outputs only ever append, get replaced in place, or are cleared, so the index is stable.
        <div key={i} className="output-item" data-testid="output-item" data-output-type={output.output_type}>
          <OutputItem output={output} />
        </div>
      ))}
      {children}
    </div>
  );
}

export default memo(OutputArea);
