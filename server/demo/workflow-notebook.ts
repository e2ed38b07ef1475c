import type { Notebook } from "../contents/nbformat.ts";
import { code, markdown } from "./cells.ts";
import { DEMO_SCAN } from "./demo-scan.ts";
import { notebookOf } from "./welcome-notebook.ts";

export const WORKFLOW_NOTEBOOK = "Distributed workflows.ipynb";

/**
 * Worked example of issue 5: the demo scan treated as a 2 × 4 grid scan, its frames fanned out to
 * the node agents (spot finding and azimuthal integration), a live progress display, a heatmap of
 * spots per frame, a shipped function with a reduce, and the same run over REST.
 */
export function workflowNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return notebookOf(kernel, [
    markdown("intro", [
      "# Distributed workflows",
      "",
      `A grid scan's frames, analysed by the node agents rather than this kernel. \`${DEMO_SCAN}\` stands in`,
      "for a 2 × 4 grid scan. `workflow.map` submits a run to the server, shows its progress in place,",
      "and returns one result per frame in scan order. Interrupt the cell to cancel the run.",
    ]),
    code("agents", ["// The agents that will do the work (GET /api/lightbook/agents).", "await workflow.agents()"]),
    code("spots", [
      'import { gridHeatmapSpec } from "lightbook/analysis";',
      `const scan = frames(${JSON.stringify(DEMO_SCAN)}, "/entry/data/data");`,
      "// DIALS-style spot finding on every frame, one frame per task.",
      'const spots = (await workflow.map(scan, "spots-per-frame", { minSpotSize: 3 })) as number[];',
      'display(display.vegaLite(gridHeatmapSpec(spots, [2, 4], { title: "spots per frame", snake: true })));',
    ]),
    code("azint", [
      "// Azimuthal integration on the agents: the geometry travels as parameters, each frame's pattern comes back.",
      "const px = 75e-6;",
      "const geometry = { dist: 0.12, poni1: (125.75 + 0.5) * px, poni2: (131.5 + 0.5) * px, rot1: 0, rot2: 0, rot3: 0,",
      "  wavelength: 0.9537e-10, pixel1: px, pixel2: px, shape: [256, 256] as [number, number] };",
      'const patterns = (await workflow.map(scan, "azint", { geometry, npt: 300, unit: "2th_deg" }, { chunk: 4 })) as Float64Array[];',
      "patterns.map((p) => Math.max(...p).toFixed(0))",
    ]),
    code("shipped", [
      "// Any self-contained function runs on the agents too (it sees its arguments, not this notebook's variables).",
      "const brightest = await workflow.map(scan, (frame: { data: ArrayLike<number> }) => Math.max(...Array.from(frame.data)), {},",
      "  { reduce: (maxima) => Math.max(...(maxima as number[])) });",
      "brightest",
    ]),
    markdown("rest", [
      "The same runs over REST, for a beamline control system (with the token):",
      "",
      "```sh",
      "curl -H \"Authorization: token $TOKEN\" -H 'Idempotency-Key: scan-0001-spots' $LIGHTBOOK/api/lightbook/runs \\",
      `  -d '{"recipe":{"steps":[{"id":"spots","algorithm":"spots-per-frame","input":{"kind":"frames","file":"${DEMO_SCAN}","dataset":"/entry/data/data"}}]}}'`,
      "curl -H \"Authorization: token $TOKEN\" $LIGHTBOOK/api/lightbook/runs/$RUN/results",
      "```",
    ]),
  ]);
}
