// Vega-lite charts, drawn live (vega-embed) or as SVG for the HTML export. Vega is large, so it
// loads on the first chart. A notebook may come from another user, so charts get no network (a
// loader that refuses every URL) and expressions run in vega's interpreter, not generated code.

type EmbedModule = typeof import("vega-embed");
type VegaLiteSpec = Parameters<EmbedModule["default"]>[1];

async function modules() {
  const [embedModule, { expressionInterpreter }] = await Promise.all([import("vega-embed"), import("vega-interpreter")]);
  const loader = embedModule.vega.loader();
  loader.sanitize = () => Promise.reject(new Error("Charts in notebooks cannot load URLs"));
  return { embedModule, expressionInterpreter, loader };
}

/** Draws the chart into `host` until `signal` aborts. vega-lite itself rejects a malformed spec. */
export async function embedChart(host: HTMLElement, spec: unknown, signal: AbortSignal): Promise<void> {
  const { embedModule, expressionInterpreter, loader } = await modules();
  if (signal.aborted) return;
  const result = await embedModule.default(host, spec as VegaLiteSpec, {
    // The export actions only (PNG, SVG), as JupyterLab offers: the source and editor actions would open other pages.
    actions: { export: true, source: false, compiled: false, editor: false },
    downloadFileName: "chart",
    renderer: "canvas",
    loader,
    ast: true,
    expr: expressionInterpreter,
  });
  if (signal.aborted) result.finalize();
  else signal.addEventListener("abort", () => result.finalize());
}

/** The chart as an SVG document, for exports that must not run code. */
export async function chartSvg(spec: unknown): Promise<string> {
  const { embedModule, expressionInterpreter, loader } = await modules();
  const { vega, vegaLite } = embedModule;
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "none", loader, expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
