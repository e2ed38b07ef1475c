'use client';

// A vega-lite output (application/vnd.vegalite.v5+json) drawn with vega-embed, as JupyterLab does.
// Vega is large, so it loads on the first chart. A notebook may come from another user, so the
// chart gets no network (a loader that refuses every URL) and expressions run in vega's
// interpreter instead of generated functions.

import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/jupyter';

async function draw(host: HTMLElement, spec: unknown, signal: AbortSignal): Promise<void> {
  const [{ default: embed, vega }, { expressionInterpreter }] = await Promise.all([import('vega-embed'), import('vega-interpreter')]);
  if (signal.aborted) return;
  const loader = vega.loader();
  loader.sanitize = () => Promise.reject(new Error('Charts in notebooks cannot load URLs'));
  // vega-embed types the spec by its vega/vega-lite JSON schema; it validates the value itself.
  const result = await embed(host, spec as Parameters<typeof embed>[1], {
    actions: false,
    renderer: 'canvas',
    loader,
    ast: true,
    expr: expressionInterpreter,
  });
  if (signal.aborted) result.finalize();
  else signal.addEventListener('abort', () => result.finalize());
}

export default function VegaLiteView({ spec }: { spec: unknown }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const controller = new AbortController();
    setError(null);
    draw(element, spec, controller.signal).catch((e: unknown) => !controller.signal.aborted && setError(errorMessage(e)));
    return () => controller.abort();
  }, [spec]);

  return (
    <div className="output-vega" data-mime="application/vnd.vegalite.v5+json">
      <div ref={host} role="img" aria-label="Vega-Lite chart" data-testid="vega-chart" />
      {error && (
        <pre className="output-error" role="alert">
          Could not draw the chart: {error}
        </pre>
      )}
    </div>
  );
}
