// Which representation of a MIME bundle to show: the richest one we can render safely.

import type { MimeBundle } from "../../contracts/notebook";

export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** Richest first, as JupyterLab orders its renderers. */
const MIME_PRIORITY = [VEGA_LITE_MIME, "image/png", "image/svg+xml", "text/html", "text/markdown", "text/plain"] as const;

type RenderableMimeType = (typeof MIME_PRIORITY)[number];

export function preferredMimeType(data: MimeBundle): RenderableMimeType | undefined {
  return MIME_PRIORITY.find((mimeType) => data[mimeType] !== undefined);
}
