import type { Notebook } from "../../contracts/notebook.ts";
import { code, markdown } from "./cells.ts";
import { DEMO_GRID, GRID_SHAPE } from "./demo-grid.ts";
import { DEMO_SCAN } from "./demo-scan.ts";
import { notebookOf } from "./welcome-notebook.ts";

export const INTEGRATION_NOTEBOOK = "Azimuthal integration.ipynb";

/**
 * Worked example of the analysis library: on the powder scan, geometry from the NeXus detector
 * group, 1D integration of every frame with one prepared lookup, ring positions and a cake; on the
 * grid scan, spot finding with per-image metrics as grid heatmaps.
 */
export function integrationNotebook(kernel: { name: string; display_name: string; language: string }): Notebook {
  return notebookOf(kernel, [
    markdown("intro", [
      "# Azimuthal integration of the demo scan",
      "",
      `\`${DEMO_SCAN}\` holds eight frames of powder rings. This notebook reads the detector geometry from`,
      "the file, integrates every frame to a pattern in 2θ with pyFAI's conventions (solid-angle and",
      "polarization corrections, Poisson errors) and finds the rings; then it runs DIALS-style spot finding",
      "on a grid scan of a crystal.",
    ]),
    code("geometry", [
      'import { AzimuthalIntegrator, dSpacing, findSpots, type Geometry, gridHeatmapSpec, type H5File, type ImageMetrics, openH5, type Pattern, patternSpec } from "lightbook/analysis";',
      "// The beam centre is given in pixels from the centre of pixel 0; pyFAI's PONI is in metres from the detector's corner.",
      "function geometryOf(file: H5File): Geometry {",
      "  const detector = (name: string) => Number(file.dataset(`entry/instrument/detector/${name}`).readAll().data[0]);",
      '  const [rows, cols] = file.dataset("entry/data/data").frameShape;',
      "  return {",
      '    dist: detector("distance"),',
      '    poni1: (detector("beam_center_y") + 0.5) * detector("y_pixel_size"),',
      '    poni2: (detector("beam_center_x") + 0.5) * detector("x_pixel_size"),',
      "    rot1: 0, rot2: 0, rot3: 0,",
      '    wavelength: detector("wavelength"),',
      '    pixel1: detector("y_pixel_size"),',
      '    pixel2: detector("x_pixel_size"),',
      "    shape: [rows, cols],",
      "  };",
      "}",
      `const scan = await openH5(${JSON.stringify(DEMO_SCAN)});`,
      'const frames = scan.dataset("entry/data/data");',
      "const geometry = geometryOf(scan);",
      "geometry",
    ]),
    code("integrate", [
      "// Prepare once (geometry, corrections, CSR lookup), then integrate every frame with it.",
      "const ai = new AzimuthalIntegrator(geometry);",
      'const integrator = ai.prepare1d({ npt: 300, unit: "2th_deg", method: "csr", polarizationFactor: 0.99, errorModel: "poisson" });',
      "const patterns: Pattern[] = [];",
      "for (let i = 0; i < frames.length; i++) {",
      "  const r = integrator.integrate(frames.frame(i).data as Uint32Array);",
      "  patterns.push({ x: r.radial, y: r.intensity, sigma: r.sigma, label: `frame ${i}` });",
      "}",
      `display(display.vegaLite(patternSpec(patterns, { title: ${JSON.stringify(DEMO_SCAN)}, xTitle: "2θ (°)" })));`,
    ]),
    code("rings", [
      "// Rings of the last frame: local maxima well above the background, with their d-spacings.",
      "const last = patterns[patterns.length - 1]!;",
      "const background = Math.min(...Array.from(last.y).filter((y) => y > 0));",
      "const rings = [];",
      "for (let b = 1; b < last.y.length - 1; b++) {",
      "  const y = last.y[b]!;",
      "  if (y > 3 * background && y > last.y[b - 1]! && y >= last.y[b + 1]!) {",
      "    rings.push({ twoTheta: last.x[b]!, d: dSpacing((last.x[b]! * Math.PI) / 180, geometry.wavelength!) });",
      "  }",
      "}",
      "rings",
    ]),
    code("cake", [
      "// The same frame as a cake: intensity over 2θ and the azimuth χ.",
      'const cake = ai.integrate2d(frames.frame(frames.length - 1).data as Uint32Array, { nptRad: 120, nptAzim: 36, unit: "2th_deg", polarizationFactor: 0.99 });',
      "const cells = [];",
      "for (let a = 0; a < cake.azimuthal.length; a++) {",
      "  for (let r = 0; r < cake.radial.length; r++) {",
      "    const k = a * cake.radial.length + r;",
      "    if (cake.count[k]! > 0) cells.push({ tth: cake.radial[r]!, chi: cake.azimuthal[a]!, I: cake.intensity[k]! });",
      "  }",
      "}",
      "display(display.vegaLite({",
      '  $schema: "https://vega.github.io/schema/vega-lite/v5.json",',
      '  title: "cake", width: 500, height: 250, data: { values: cells }, mark: "rect",',
      "  encoding: {",
      '    x: { field: "tth", type: "quantitative", bin: { maxbins: 120 }, title: "2θ (°)" },',
      '    y: { field: "chi", type: "quantitative", bin: { maxbins: 36 }, title: "χ (°)" },',
      '    color: { field: "I", type: "quantitative", aggregate: "mean", scale: { scheme: "viridis" } },',
      "  },",
      "}));",
    ]),
    markdown("spots-intro", [
      "## Spot finding on a grid scan",
      "",
      `Rings are for azimuthal integration; Bragg spots are for spot finding. \`${DEMO_GRID}\` is a grid scan of a`,
      `crystal in a loop: ${GRID_SHAPE[0]} × ${GRID_SHAPE[1]} still images taken as a snake (odd rows right to left). DIALS' dispersion`,
      "threshold flags pixels whose local variance exceeds Poisson statistics; the per-image metrics (spot count,",
      "total intensity, resolution estimate) are what a grid scan shows to find the crystal.",
    ]),
    code("spots", [
      `const grid = await openH5(${JSON.stringify(DEMO_GRID)});`,
      'const stills = grid.dataset("entry/data/data");',
      "const gridGeometry = geometryOf(grid);",
      "const metrics: ImageMetrics[] = [];",
      "for (let i = 0; i < stills.length; i++) {",
      "  metrics.push(findSpots(stills.frame(i).data as Uint16Array, gridGeometry.shape, { minSpotSize: 3 }, gridGeometry).metrics);",
      "}",
      `const gridShape: [number, number] = [${GRID_SHAPE[0]}, ${GRID_SHAPE[1]}];`,
      'display(display.vegaLite(gridHeatmapSpec(metrics.map((m) => m.spotCount), gridShape, { title: "spots per image", snake: true })));',
      "// Resolution where there are spots (d_min in Å; 0 where none were found).",
      'display(display.vegaLite(gridHeatmapSpec(metrics.map((m) => m.estimatedDMin ?? 0), gridShape, { title: "estimated d_min (Å)", snake: true })));',
      "const best = metrics.reduce((a, m, i) => (m.spotCount > metrics[a]!.spotCount ? i : a), 0);",
      "({ best, ...metrics[best] })",
    ]),
  ]);
}
