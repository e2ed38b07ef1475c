/**
 * Vega-Lite v5 specs for the plots beamline users look at most: integrated patterns (one or many,
 * with error bands) and per-image metrics of a grid scan as a heatmap. Plain JSON, so a cell shows
 * one with `display.vegaLite(spec)` and JupyterLab renders the same output.
 */
import { ParameterError, ShapeMismatchError } from "../errors.ts";
import type { JsonValue } from "../../contracts/json.ts";
import type { Colormap } from "./colormaps.ts";

export type VegaLiteSpec = { [key: string]: JsonValue };

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One curve: x (2θ, q, …), y, optional one-sigma errors, and a legend label. */
export interface Pattern {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  sigma?: ArrayLike<number>;
  label?: string;
}

export interface PatternOptions {
  title?: string;
  /** Default "2θ (°)". */
  xTitle?: string;
  /** Default "Intensity". */
  yTitle?: string;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** JSON has no NaN or Infinity: such points become null, which Vega-Lite leaves out. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A line plot of one or several integrated patterns, with ±σ bands where errors are given. */
export function patternSpec(patterns: Pattern | Pattern[], options: PatternOptions = {}): VegaLiteSpec {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  const values: JsonValue[] = [];
  for (const [i, p] of list.entries()) {
    if (p.x.length !== p.y.length || (p.sigma && p.sigma.length !== p.y.length)) {
      throw new ShapeMismatchError(
        `pattern ${i}: x (${p.x.length}), y (${p.y.length})${p.sigma ? ` and sigma (${p.sigma.length})` : ""} must have the same length`,
        { parameter: `patterns[${i}]` },
      );
    }
    const label = p.label ?? `pattern ${i + 1}`;
    for (let k = 0; k < p.x.length; k++) {
      const y = p.y[k]!;
      const s = p.sigma?.[k];
      values.push({ x: finite(p.x[k]!), y: finite(y), label, ...(s === undefined ? {} : { lo: finite(y - s), hi: finite(y + s) }) });
    }
  }
  const x = { field: "x", type: "quantitative", title: options.xTitle ?? "2θ (°)" };
  const yScale: VegaLiteSpec = options.logY ? { type: "log" } : { zero: false };
  const color: VegaLiteSpec = list.length > 1 ? { color: { field: "label", type: "nominal", title: null } } : {};
  const layers: JsonValue[] = [];
  if (list.some((p) => p.sigma)) {
    layers.push({
      mark: { type: "errorband", opacity: 0.3 },
      encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale }, y2: { field: "hi" }, ...color },
    });
  }
  layers.push({
    mark: { type: "line", strokeWidth: 1.2 },
    encoding: {
      x,
      y: { field: "y", type: "quantitative", title: options.yTitle ?? "Intensity", scale: yScale },
      ...color,
      tooltip: [{ field: "x", format: ".4f" }, { field: "y", format: ".4g" }, { field: "label" }],
    },
  });
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 600,
    height: options.height ?? 300,
    data: { values },
    layer: layers,
  };
}

export interface HeatmapOptions {
  title?: string;
  /** Legend title, e.g. "spots". */
  metric?: string;
  /** Default "viridis". */
  colormap?: Colormap;
  /** Odd rows were scanned right to left (a serpentine raster): put their values back in place. */
  snake?: boolean;
  /** Motor positions of the columns and rows (default indices). */
  x?: ArrayLike<number>;
  y?: ArrayLike<number>;
  xTitle?: string;
  yTitle?: string;
  cellSize?: number;
}

/**
 * A grid scan's per-image metric (spot count, total intensity, resolution…) as a heatmap:
 * `values[i]` belongs to image i, scanned row by row over `shape` = [rows, cols].
 */
export function gridHeatmapSpec(values: ArrayLike<number>, shape: [number, number], options: HeatmapOptions = {}): VegaLiteSpec {
  const [rows, cols] = shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new ParameterError(`grid shape must be two positive integers, got [${shape.join(", ")}]`, { parameter: "shape" });
  if (values.length > rows * cols) throw new ShapeMismatchError(`${values.length} values do not fit a ${rows}×${cols} grid`, { parameter: "values" });
  if ((options.x && options.x.length !== cols) || (options.y && options.y.length !== rows))
    throw new ShapeMismatchError(`x needs ${cols} positions and y ${rows}`, { parameter: "x/y" });
  const data: JsonValue[] = [];
  // A scan still running has fewer values than cells: the rest stay empty.
  for (let i = 0; i < values.length; i++) {
    const row = Math.floor(i / cols);
    const along = i % cols;
    const col = options.snake && row % 2 === 1 ? cols - 1 - along : along;
    data.push({ image: i, row, col, x: options.x ? options.x[col]! : col, y: options.y ? options.y[row]! : row, value: finite(values[i]!) });
  }
  const cell = options.cellSize ?? Math.max(6, Math.min(40, Math.floor(480 / Math.max(rows, cols))));
  const metric = options.metric ?? "value";
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: cell * cols,
    height: cell * rows,
    data: { values: data },
    mark: { type: "rect" },
    encoding: {
      x: {
        field: options.x ? "x" : "col",
        type: "ordinal",
        title: options.xTitle ?? (options.x ? "x" : "column"),
        axis: cols > 30 ? { labelOverlap: true } : {},
      },
      y: { field: options.y ? "y" : "row", type: "ordinal", title: options.yTitle ?? (options.y ? "y" : "row"), sort: options.y ? "descending" : "ascending" },
      color: { field: "value", type: "quantitative", title: metric, scale: { scheme: options.colormap ?? "viridis" } },
      tooltip: [{ field: "image", title: "image" }, { field: "row" }, { field: "col" }, { field: "value", title: metric, format: ".4g" }],
    },
  };
}
