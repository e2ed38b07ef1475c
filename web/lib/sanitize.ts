// Everything kernel- or file-supplied that becomes HTML goes through here.
// Outputs come from code the user may not have written (shared notebooks), so they get no
// scripts, no event handlers, no javascript:/data: links, no forms (which could post credentials),
// no frames, and no styles that could draw over the app (a fake login box) or fetch URLs.

import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import markedKatex from 'marked-katex-extension';

const FORBID_TAGS = ['form', 'input', 'button', 'textarea', 'select', 'option', 'style', 'iframe', 'frame', 'object', 'embed', 'base', 'link', 'meta'];

// KaTeX writes its own inline styles (heights, margins) and needs them; these never.
const UNSAFE_STYLE = /url\s*\(|expression\s*\(|@import|position\s*:\s*(fixed|sticky|absolute)|behavior\s*:|-moz-binding/i;

/** `$…$` and `$$…$$` become KaTeX; a formula that does not parse is shown as source, not thrown. */
const markdown = new Marked({ async: false, gfm: true }, markedKatex({ throwOnError: false, nonStandard: true }));

let hooked = false;

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'style' && UNSAFE_STYLE.test(data.attrValue)) data.keepAttr = false;
  });
  // Links open in a new tab and cannot reach back into the app through `window.opener`.
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

// Without a DOM (server rendering) DOMPurify returns its input unchanged; render nothing instead.
function purify(dirty: string, config: Parameters<typeof DOMPurify.sanitize>[1]): string {
  if (!DOMPurify.isSupported) return '';
  installHooks();
  return String(DOMPurify.sanitize(dirty, { ...config, RETURN_TRUSTED_TYPE: false }));
}

export function sanitizeHtml(html: string): string {
  return purify(html, { USE_PROFILES: { html: true, svg: true, svgFilters: true, mathMl: true }, FORBID_TAGS });
}

export function sanitizeSvg(svg: string): string {
  return purify(svg, { USE_PROFILES: { svg: true, svgFilters: true }, FORBID_TAGS });
}

export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.parse(source, { async: false }));
}
