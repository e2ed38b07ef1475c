// Everything kernel- or file-supplied that becomes HTML goes through here.
// Outputs come from code the user may not have written (shared notebooks), so they get no
// scripts, no event handlers, no javascript: URLs and no forms (which could post credentials).

import DOMPurify from 'dompurify';
import { marked } from 'marked';

const FORBID_TAGS = ['form', 'input', 'button', 'textarea', 'select', 'option', 'style', 'iframe', 'frame', 'object', 'embed', 'base', 'link', 'meta'];

let hooked = false;

/** Links in outputs open in a new tab and cannot reach back into the app through `window.opener`. */
function installHooks(): void {
  if (hooked) return;
  hooked = true;
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

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }));
}
