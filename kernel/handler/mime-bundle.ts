/**
 * Turning values into MIME bundles for execute_result, display_data and update_display_data.
 * A value shows itself richly by having a `_toMimeBundle()` method (the convention tslab and
 * IJavascript use); DisplayObject is that for ready-made bundles.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#display-data
 */
import { inspect } from "node:util";
import type { JsonValue, MimeBundle } from "../protocol/messages.ts";

export interface Displayable {
  _toMimeBundle(): MimeBundle;
}

export interface RenderedOutput {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** A prepared rich output; what `display.html(...)` and friends return. */
export class DisplayObject implements Displayable {
  constructor(
    readonly data: MimeBundle,
    readonly metadata: Record<string, unknown> = {},
  ) {}

  _toMimeBundle(): MimeBundle {
    return this.data;
  }
}

const MIME_TYPE = /^[a-z]+\/[\w.+-]+$/;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** `{'text/html': '<b>hi</b>'}`: a plain object whose keys are all MIME types. */
export function isMimeBundle(x: unknown): x is MimeBundle {
  return isPlainObject(x) && Object.keys(x).length > 0 && Object.keys(x).every((k) => MIME_TYPE.test(k));
}

function isDisplayable(x: unknown): x is Displayable {
  return (typeof x === "object" || typeof x === "function") && x !== null && typeof (x as Partial<Displayable>)._toMimeBundle === "function";
}

/** The value as util.inspect shows it, which is what the Node REPL prints. */
export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/** Every bundle gets a text/plain fallback, which nbformat and plain-text frontends rely on. */
export function render(value: unknown): RenderedOutput {
  if (isDisplayable(value)) {
    const bundle = value._toMimeBundle();
    const metadata = value instanceof DisplayObject ? value.metadata : {};
    return { data: { "text/plain": plainText(value), ...bundle }, metadata };
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}

/** For display()/update(): a MIME bundle is shown as given, anything else is rendered. */
export function renderValueOrBundle(value: unknown): RenderedOutput {
  if (isMimeBundle(value)) return { data: value, metadata: {} };
  return render(value);
}

/** Constructors for common outputs, exposed in cells as `display.html(...)` and so on. */
export const mime = {
  html: (html: string) => new DisplayObject({ "text/html": html, "text/plain": "[HTML]" }),
  markdown: (markdown: string) => new DisplayObject({ "text/markdown": markdown, "text/plain": markdown }),
  svg: (svg: string) => new DisplayObject({ "image/svg+xml": svg, "text/plain": "[SVG]" }),
  png: (bytes: Uint8Array) => new DisplayObject({ "image/png": Buffer.from(bytes).toString("base64"), "text/plain": "[PNG]" }),
  json: (value: JsonValue) => new DisplayObject({ "application/json": value, "text/plain": plainText(value) }),
  /** A vega-lite spec; JupyterLab and Lightbook render this MIME type. */
  vegaLite: (spec: Record<string, JsonValue>) => new DisplayObject({ "application/vnd.vegalite.v5+json": spec, "text/plain": "[Vega-Lite chart]" }),
};
