// Everything kernel- or file-supplied that becomes HTML goes through here.
// Outputs come from code the user may not have written (shared notebooks), so they get no
// scripts, no event handlers, no javascript:/data: links, no forms (which could post credentials),
// no frames, no styles beyond an allowlist (nothing that draws over the app, such as a fake login
// box), and fetch nothing from other sites: images and media are data: or on this server (a remote
// image would tell its owner who opened the notebook, and when). The CSP's img-src says the same.

import DOMPurify from "dompurify";
import { Marked } from "marked";
import markedKatex from "marked-katex-extension";
import { allowedInlineStyle } from "./inlineStyle";
import type { Attachments } from "../../contracts/notebook";
import { decodeSegment } from "./paths";

const FORBID_TAGS = ["form", "input", "button", "textarea", "select", "option", "style", "iframe", "frame", "object", "embed", "base", "link", "meta"];

// One URL per candidate and no need for responsive images in an output: refused whole.
const FORBID_ATTR = ["srcset", "ping"];

/** Attributes whose URL the browser fetches (links, which only navigate, are not among them). */
const FETCHED = new Set(["src", "poster", "background", "data", "action", "formaction", "xlink:href"]);

/** A URL the page would fetch: a data: URL or one on this server. */
function fetchAllowed(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value, document.baseURI);
  } catch {
    return false;
  }
  return url.protocol === "data:" || url.origin === location.origin;
}

/** SVG presentation attributes (fill, filter, mask…) may reference a paint server by url(); only in-document ones (#id) are kept. */
const REMOTE_REFERENCE = /url\s*\(\s*(?!['"]?#)/i;

function attributeAllowed(node: Element, attribute: string, value: string): boolean {
  // `href` fetches on SVG's <image>, <use>, <feImage>; on <a> and <area> it only navigates.
  const link = attribute === "href" && (node.localName === "a" || node.localName === "area");
  if (FETCHED.has(attribute) || (attribute === "href" && !link)) return fetchAllowed(value);
  return link || !REMOTE_REFERENCE.test(value);
}

/** `$…$` and `$$…$$` become KaTeX; a formula that does not parse is shown as source, not thrown. */
const markdown = new Marked({ async: false, gfm: true }, markedKatex({ throwOnError: false, nonStandard: true }));

let hooked = false;

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("uponSanitizeAttribute", (node, data) => {
    if (data.attrName === "style") {
      data.attrValue = allowedInlineStyle(data.attrValue);
      if (data.attrValue === "") data.keepAttr = false;
    } else if (!attributeAllowed(node, data.attrName, data.attrValue)) {
      data.keepAttr = false;
    }
  });
  // Links open in a new tab and cannot reach back into the app through `window.opener`.
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
}

// Without a DOM (server rendering) DOMPurify returns its input unchanged; render nothing instead.
function purify(dirty: string, config: Parameters<typeof DOMPurify.sanitize>[1]): string {
  if (!DOMPurify.isSupported) return "";
  installHooks();
  return String(DOMPurify.sanitize(dirty, { ...config, RETURN_TRUSTED_TYPE: false }));
}

export function sanitizeHtml(html: string): string {
  return purify(html, { USE_PROFILES: { html: true, svg: true, svgFilters: true, mathMl: true }, FORBID_TAGS, FORBID_ATTR });
}

export function sanitizeSvg(svg: string): string {
  return purify(svg, { USE_PROFILES: { svg: true, svgFilters: true }, FORBID_TAGS, FORBID_ATTR });
}

/** Raster image types an `attachment:` reference may show (base64 in the notebook, as nbformat stores them). */
const ATTACHMENT_IMAGES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** The data: URL of a cell's attachment `name`, if it is an image; anything else stays unresolved (and the sanitizer drops it). */
function attachmentUrl(attachments: Attachments, name: string): string | undefined {
  const bundle = attachments[name];
  if (bundle === undefined) return undefined;
  const type = ATTACHMENT_IMAGES.find((t) => typeof bundle[t] === "string");
  return type === undefined ? undefined : `data:${type};base64,${String(bundle[type]).replace(/\s/g, "")}`;
}

/** Markdown as sanitized HTML; `attachments` (a markdown cell's) resolve `![…](attachment:name)` images. */
export function renderMarkdown(source: string, attachments?: Attachments): string {
  const tokens = markdown.lexer(source);
  if (attachments) {
    markdown.walkTokens(tokens, (token) => {
      if (token.type !== "image" || !token.href.startsWith("attachment:")) return;
      // An unknown name keeps its attachment: URL, which the sanitizer drops: nothing is fetched.
      token.href = attachmentUrl(attachments, decodeSegment(token.href.slice("attachment:".length))) ?? token.href;
    });
  }
  return sanitizeHtml(markdown.parser(tokens));
}
