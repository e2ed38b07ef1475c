/**
 * Displays built from data rather than markup: `display.image(frame, options)` (a detector image
 * as PNG through the analysis library's colormaps) and `display.progress(total)` (a bar that
 * updates in place through update_display_data).
 */
import { randomUUID } from "node:crypto";
import escapeHtml from "escape-html";
import type { NdArray } from "../../analysis/hdf5/types.ts";
import { renderPng, type RenderOptions } from "../../analysis/plots/image.ts";
import { DisplayObject } from "./mime-bundle.ts";
import type { Output } from "./output.ts";

/** A 2D image ([rows, cols], any numeric typed array or number[]) as a PNG display. */
export function image(frame: NdArray, options: RenderOptions = {}): DisplayObject {
  const [rows = 0, cols = 0] = frame.shape;
  const png = Buffer.from(renderPng(frame, options)).toString("base64");
  return new DisplayObject({ "image/png": png, "text/plain": `[image ${rows}×${cols}]` }, { "image/png": { width: cols, height: rows } });
}

export interface ProgressOptions {
  label?: string;
}

export interface Progress {
  readonly id: string;
  /** Shows `done` of the total; `note` (e.g. the current file) beside it. */
  update(done: number, note?: string): void;
}

function progressBundle(done: number, total: number, label: string, note: string): Record<string, string> {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const percent = Math.round(fraction * 100);
  const text = `${label ? `${label}: ` : ""}${done}/${total} (${percent}%)${note ? ` ${note}` : ""}`;
  return {
    "text/plain": text,
    "text/html": `<div><progress value="${done}" max="${total}" style="width: 20em"></progress> <span>${escapeHtml(text)}</span></div>`,
  };
}

/** Shows a progress bar now; each update replaces it in place. */
export function progressDisplay(output: Output, total: number, options: ProgressOptions = {}): Progress {
  const id = `progress-${randomUUID()}`;
  const label = options.label ?? "";
  output.publish("display_data", { data: progressBundle(0, total, label, ""), metadata: {}, transient: { display_id: id } });
  return {
    id,
    update: (done, note = "") =>
      output.publish("update_display_data", { data: progressBundle(done, total, label, note), metadata: {}, transient: { display_id: id } }),
  };
}
