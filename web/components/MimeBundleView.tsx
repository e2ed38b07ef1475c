"use client";

// Renders the preferred representation of a display_data / execute_result bundle.

import { memo, useMemo } from "react";
import { preferredMimeType, VEGA_LITE_MIME } from "../lib/mime";
import { isJsonObject } from "../../contracts/json";
import type { JsonObject, MimeBundle } from "../../contracts/notebook";
import { mimeToHtml, pngDataUrl } from "../lib/renderMime";
import VegaLiteView from "./VegaLiteView";

function text(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Output metadata may size an image: {"image/png": {"width": 320, "height": 200}}. */
function imageSize(metadata: JsonObject, mimeType: string): { width?: number; height?: number } {
  const entry = metadata[mimeType];
  if (!isJsonObject(entry)) return {};
  return {
    ...(typeof entry.width === "number" ? { width: entry.width } : {}),
    ...(typeof entry.height === "number" ? { height: entry.height } : {}),
  };
}

function MimeBundleView({ data, metadata }: { data: MimeBundle; metadata: JsonObject }) {
  const mimeType = preferredMimeType(data);
  const value = mimeType === undefined ? "" : text(data[mimeType]);
  // Sanitizing is the expensive part; outputs are immutable, so it is redone only when they change.
  const html = useMemo(() => (mimeType === undefined ? "" : (mimeToHtml(mimeType, value) ?? "")), [mimeType, value]);

  switch (mimeType) {
    case VEGA_LITE_MIME:
      return <VegaLiteView spec={data[mimeType]} />;
    case "image/png":
      return <img className="output-image" data-mime={mimeType} alt="Image output" src={pngDataUrl(value)} {...imageSize(metadata, mimeType)} />;
    case "image/svg+xml":
      return <div className="output-svg" data-mime={mimeType} dangerouslySetInnerHTML={{ __html: html }} />;
    case "text/html":
      return <div className="output-html" data-mime={mimeType} dangerouslySetInnerHTML={{ __html: html }} />;
    case "text/markdown":
      return <div className="output-markdown markdown" data-mime={mimeType} dangerouslySetInnerHTML={{ __html: html }} />;
    case "text/plain":
      return <pre className="output-text" data-mime={mimeType} dangerouslySetInnerHTML={{ __html: html }} />;
    case undefined:
      return <pre className="output-text output-unsupported">{`No renderer for ${Object.keys(data).join(", ") || "an empty bundle"}`}</pre>;
  }
}

export default memo(MimeBundleView);
