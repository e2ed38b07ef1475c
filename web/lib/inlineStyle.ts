// What an output's or a markdown cell's `style` attribute may say (issue 12, item 6): an allowlist
// of properties and values, checked on the declarations as the browser itself parsed them. The
// browser's CSS parser (CSSOM, on an element of an inert document) strips comments and decodes
// escapes, drops what it cannot parse and expands shorthands, so `position:/**/fixed`,
// `\66 ixed` and `u\72 l(` are seen as `fixed` and `url(`; the style kept is re-serialized from the
// declarations that passed, so no other reading of the text ever reaches the page. A CSS library
// (postcss, css-tree) would be a second parser beside the one that applies the style, and a
// difference between the two is exactly how such filters are bypassed.

/** Properties (longhands, as CSSOM names them) for text, boxes and tables; nothing that fetches, covers the page or animates. */
const PROPERTY = new RegExp(
  "^(?:" +
    [
      "color",
      "background-color",
      "opacity",
      "visibility",
      "font-[a-z-]+",
      "text-[a-z-]+",
      "line-height",
      "letter-spacing",
      "word-spacing",
      "word-break",
      "overflow-wrap",
      "white-space(?:-collapse)?",
      "hyphens",
      "vertical-align",
      "direction",
      "unicode-bidi",
      "writing-mode",
      "tab-size",
      "list-style-(?:type|position)",
      "(?:margin|padding)-(?:top|right|bottom|left|block-start|block-end|inline-start|inline-end)",
      "border-(?:top|right|bottom|left|block-start|block-end|inline-start|inline-end)-(?:width|style|color)",
      "border-(?:top|bottom|start|end)-(?:left|right|start|end)-radius",
      "border-(?:collapse|spacing)",
      "outline-(?:width|style|color|offset)",
      "(?:min-|max-)?(?:width|height|inline-size|block-size)",
      "box-sizing",
      "box-shadow",
      "display",
      "position",
      "top|right|bottom|left",
      "float|clear",
      "overflow(?:-x|-y)?",
      "table-layout|caption-side|empty-cells",
      "flex-(?:direction|wrap|grow|shrink|basis)",
      "order",
      "(?:justify|align)-(?:content|items|self)",
      "(?:row-|column-)?gap",
      "grid-(?:template-(?:columns|rows|areas)|auto-(?:columns|rows|flow)|(?:column|row)-(?:start|end))",
      "cursor",
    ].join("|") +
    ")$",
);

/** Functions a value may call: colours and arithmetic. Everything else (url, image-set, var, env, attr, expression…) is refused. */
const FUNCTIONS = new Set(["rgb", "rgba", "hsl", "hsla", "calc", "min", "max", "clamp", "repeat", "minmax"]);

/** Positioned boxes stay in the flow: `fixed`, `sticky` and `absolute` could draw over the app (a fake login box). */
const POSITIONS = new Set(["static", "relative"]);

function valueAllowed(property: string, value: string): boolean {
  // A backslash survives serialization only inside strings (font names) and would re-open escapes.
  if (value === "" || value.includes("\\")) return false;
  for (const call of value.matchAll(/([a-z-]*)\s*\(/gi)) if (!FUNCTIONS.has(call[1]!.toLowerCase())) return false;
  if (property === "position") return POSITIONS.has(value.toLowerCase());
  return true;
}

let inert: Document | undefined;

/** The kept declarations of `style`, serialized by the browser; '' when nothing is left. */
export function allowedInlineStyle(style: string): string {
  // A document with no browsing context parses CSS but never applies it or fetches anything.
  inert ??= document.implementation.createHTMLDocument("");
  const parsed = inert.createElement("div").style;
  parsed.cssText = style;
  const kept = inert.createElement("div").style;
  for (let i = 0; i < parsed.length; i++) {
    const property = parsed.item(i);
    const value = parsed.getPropertyValue(property).trim();
    if (PROPERTY.test(property) && valueAllowed(property, value)) kept.setProperty(property, value, parsed.getPropertyPriority(property));
  }
  return kept.cssText;
}
