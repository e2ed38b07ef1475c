// HTML for the text-like representations of a MIME bundle, shared by the live output view and the
// HTML export. Everything passes through the sanitizer (or ansi_up's escaping).

import { ansiToHtml } from "./ansi";
import { renderMarkdown, sanitizeHtml, sanitizeSvg } from "./sanitize";

/** The HTML for one representation, or null for types drawn another way (images, charts). */
export function mimeToHtml(mimeType: string, value: string): string | null {
  switch (mimeType) {
    case "image/svg+xml":
      return sanitizeSvg(value);
    case "text/html":
      return sanitizeHtml(value);
    case "text/markdown":
      return renderMarkdown(value);
    case "text/plain":
      return ansiToHtml(value);
    default:
      return null;
  }
}

/** Base64 PNG data from nbformat may be split over lines. */
export function pngDataUrl(value: string): string {
  return `data:image/png;base64,${value.replace(/\s/g, "")}`;
}

/**
 * An error output as text. Jupyter kernels put the "Name: message" line in the traceback (ours and
 * IPython's do), so the traceback alone is shown, as JupyterLab does; an empty one falls back to the header.
 */
export function errorText(output: { ename: string; evalue: string; traceback: string[] }): string {
  return output.traceback.length > 0 ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`;
}
