"use client";

// A vega-lite output (application/vnd.vegalite.v5+json) drawn with vega-embed, as JupyterLab does.

import { useEffect, useRef, useState } from "react";
import { errorMessage } from "../lib/jupyter";
import { embedChart } from "../lib/vega";

export default function VegaLiteView({ spec }: { spec: unknown }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const controller = new AbortController();
    setError(null);
    embedChart(element, spec, controller.signal).catch((e: unknown) => !controller.signal.aborted && setError(errorMessage(e)));
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
