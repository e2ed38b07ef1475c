import assert from "node:assert/strict";
import { test } from "node:test";
import { decode } from "fast-png";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { ShapeMismatchError } from "../../analysis/index.ts";
import { colormapLut } from "../../analysis/plots/colormaps.ts";
import { renderPng } from "../../analysis/plots/image.ts";
import { gridHeatmapSpec, patternSpec, type VegaLiteSpec } from "../../analysis/plots/vega.ts";

/** Compiles with vega-lite and renders with vega (as the notebook does), returning the SVG. */
async function renderSvg(spec: VegaLiteSpec): Promise<{ svg: string; view: vega.View }> {
  const compiled = compile(spec as unknown as TopLevelSpec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  const svg = await view.toSVG();
  return { svg, view };
}

test("pattern specs render one line per pattern, with error bands, and skip non-finite points", async () => {
  const x = [1, 2, 3, 4];
  const spec = patternSpec(
    [
      { x, y: [10, 20, 15, Number.NaN], sigma: [1, 2, 1, 1], label: "frame 0" },
      { x, y: [11, 21, 16, 12], label: "frame 1" },
    ],
    { title: "Integrated", xTitle: "q (nm⁻¹)" },
  );
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  const { svg, view } = await renderSvg(spec);
  assert.equal((svg.match(/role-mark/g) ?? []).length >= 2, true);
  assert.match(svg, /q \(nm⁻¹\)/);
  assert.match(svg, /frame 1/, "a legend for several patterns");
  const values = view.data("source_0") as { x: number; y: number | null; label: string; lo?: number }[];
  assert.equal(values.length, 8);
  assert.equal(values[3]!.y, null, "NaN becomes null, not invalid JSON");
  assert.equal(values[1]!.lo, 18);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(spec)));
  assert.throws(() => patternSpec({ x: [1, 2], y: [1] }), ShapeMismatchError);
});

test("grid heatmap puts each image's metric in its cell, serpentine rows unfolded", async () => {
  // 2 rows × 3 columns, the second row scanned right to left.
  const spec = gridHeatmapSpec([0, 1, 2, 3, 4, 5], [2, 3], { metric: "spots", snake: true });
  const { svg, view } = await renderSvg(spec);
  assert.match(svg, /spots/);
  const cells = view.data("source_0") as { image: number; row: number; col: number; value: number }[];
  const at = (row: number, col: number) => cells.find((c) => c.row === row && c.col === col)?.value;
  assert.deepEqual([at(0, 0), at(0, 1), at(0, 2)], [0, 1, 2]);
  assert.deepEqual([at(1, 0), at(1, 1), at(1, 2)], [5, 4, 3]);
  // A scan still running: fewer values than cells is fine, more is an error.
  assert.equal((gridHeatmapSpec([1, 2], [2, 3]).data as { values: unknown[] }).values.length, 2);
  assert.throws(() => gridHeatmapSpec([1, 2, 3, 4, 5, 6, 7], [2, 3]), ShapeMismatchError);
});

test("PNG rendering: colormap endpoints, log scale, mask overlay, and shape checks", () => {
  // matplotlib's viridis starts at #440154 and ends at #fde725.
  const viridis = colormapLut("viridis");
  assert.deepEqual(Array.from(viridis.subarray(0, 3)), [0x44, 0x01, 0x54]);
  assert.deepEqual(Array.from(viridis.subarray(255 * 3)), [0xfd, 0xe7, 0x25]);
  const image = { data: new Uint32Array([0, 10, 100, 1000, 5, 5]), shape: [2, 3] };
  const mask = { data: new Uint8Array([0, 0, 0, 0, 1, 0]), shape: [2, 3] };
  const png = decode(renderPng(image, { min: 0, max: 1000, mask }));
  assert.equal(png.width, 3);
  assert.equal(png.height, 2);
  assert.equal(png.channels, 3);
  const pixel = (i: number) => Array.from(png.data.subarray(i * 3, i * 3 + 3));
  assert.deepEqual(pixel(0), Array.from(viridis.subarray(0, 3)));
  assert.deepEqual(pixel(3), Array.from(viridis.subarray(255 * 3)));
  assert.deepEqual(pixel(4), [255, 0, 255], "masked pixel");
  // Log scale: 100 counts of 1000 sit at log(101)/log(1001) ≈ 0.668 of the colormap, not 0.1.
  const k = Math.round((Math.log1p(100) / Math.log1p(1000)) * 255) * 3;
  assert.deepEqual(pixel(2), Array.from(viridis.subarray(k, k + 3)));
  const linear = decode(renderPng(image, { min: 0, max: 1000, scale: "linear", colormap: "gray" }));
  assert.deepEqual(Array.from(linear.data.subarray(6, 9)), Array.from(colormapLut("gray").subarray(Math.round(0.1 * 255) * 3, Math.round(0.1 * 255) * 3 + 3)));
  assert.throws(
    () => renderPng(image, { mask: { data: new Uint8Array(4), shape: [2, 2] } }),
    (e: unknown) => e instanceof ShapeMismatchError && e.context.parameter === "mask",
  );
});
