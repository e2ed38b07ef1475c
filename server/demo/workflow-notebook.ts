import type { Notebook } from "../../contracts/notebook.ts";
import { code, markdown } from "./cells.ts";
import { DEMO_GRID, GRID_SHAPE } from "./demo-grid.ts";
import { DEMO_SCAN } from "./demo-scan.ts";
import { notebookOf } from "./welcome-notebook.ts";

export const WORKFLOW_NOTEBOOK = "Distributed workflows.ipynb";

/**
 * Worked example of issue 5: frames fanned out to the node agents (spot finding on the demo grid
 * scan, azimuthal integration on the powder scan), a live progress display, a heatmap of spots per
 * frame, a shipped function with a reduce, and the same run over REST.
 */
export function workflowNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return notebookOf(kernel, [
    markdown("intro", [
      "# Distributed workflows",
      "",
      `Frames analysed by the node agents rather than this kernel: \`${DEMO_GRID}\`, a ${GRID_SHAPE[0]} × ${GRID_SHAPE[1]} grid scan of a`,
      `crystal (a snake raster), and \`${DEMO_SCAN}\`, a powder scan. \`workflow.map\` submits a run to the server,`,
      "shows its progress in place, and returns one result per frame in scan order. Interrupt the cell to cancel the run.",
    ]),
    code("agents", ["// The agents that will do the work (GET /api/lightbook/agents).", "await workflow.agents()"]),
    code("spots", [
      'import { gridHeatmapSpec } from "lightbook/analysis";',
      `const grid = frames(${JSON.stringify(DEMO_GRID)}, "/entry/data/data");`,
      "// DIALS-style spot finding on every frame of the grid scan, 8 frames per task.",
      'const spots = (await workflow.map(grid, "spots-per-frame", { minSpotSize: 3 }, { chunk: 8 })) as number[];',
      `display(display.vegaLite(gridHeatmapSpec(spots, [${GRID_SHAPE[0]}, ${GRID_SHAPE[1]}], { title: "spots per frame", snake: true })));`,
    ]),
    code("azint", [
      "// Azimuthal integration of the powder scan on the agents: the geometry travels as parameters, each frame's pattern comes back.",
      `const scan = frames(${JSON.stringify(DEMO_SCAN)}, "/entry/data/data");`,
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
      "curl -H \"Authorization: token $TOKEN\" -H 'Idempotency-Key: grid-0001-spots' $LIGHTBOOK/api/lightbook/runs \\",
      `  -d '{"recipe":{"steps":[{"id":"spots","algorithm":"spots-per-frame","input":{"kind":"frames","file":"${DEMO_GRID}","dataset":"/entry/data/data"}}]}}'`,
      'curl -H "Authorization: token $TOKEN" $LIGHTBOOK/api/lightbook/runs/$RUN/results',
      "```",
    ]),
  ]);
}
