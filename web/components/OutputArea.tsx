'use client';

import { memo, useMemo } from 'react';
import { ansiToHtml } from '../lib/ansi';
import type { Output } from '../lib/outputs';
import MimeBundleView from './MimeBundleView';

function Ansi({ text, className }: { text: string; className: string }) {
  const html = useMemo(() => ansiToHtml(text), [text]);
  return <pre className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

function OutputItem({ output }: { output: Output }) {
  switch (output.output_type) {
    case 'stream':
      // A trailing \r only waits for the next chunk (see applyCarriageReturns); HTML would show it as a line break.
      return <Ansi className={`output-stream output-${output.name}`} text={output.text.replace(/\r$/, '')} />;
    case 'error':
      return <Ansi className="output-error" text={[`${output.ename}: ${output.evalue}`, ...output.traceback].join('\n')} />;
    case 'display_data':
    case 'execute_result':
      return <MimeBundleView data={output.data} metadata={output.metadata} />;
  }
}

/** All outputs of one code cell; present (and empty) even before the first run. */
function OutputArea({ outputs }: { outputs: Output[] }) {
  return (
    <div className="output-area" data-testid="output">
      {outputs.map((output, i) => (
        // Outputs only ever append, get replaced in place, or are cleared, so the index is stable.
        <div key={i} className="output-item" data-testid="output-item" data-output-type={output.output_type}>
          <OutputItem output={output} />
        </div>
      ))}
    </div>
  );
}

export default memo(OutputArea);
