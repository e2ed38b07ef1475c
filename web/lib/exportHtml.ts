// A notebook as one self-contained HTML page (like `jupyter nbconvert --to html`, without scripts):
// sources escaped, markdown and outputs through the same sanitizer as the live view, charts as SVG.

import escapeHtml from "escape-html";
import { ansiToHtml } from "./ansi";
import { preferredMimeType, VEGA_LITE_MIME } from "./mime";
import type { MimeBundle, NbCell, NbNotebook, NbOutput } from "../../contracts/notebook";
import { errorText, mimeToHtml, pngDataUrl } from "./renderMime";
import { renderMarkdown } from "./sanitize";
import { chartSvg } from "./vega";

const STYLE = `
body { margin: 0; background: #fff; color: #1d2330; font: 14px/1.5 system-ui, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 1rem; }
.cell { display: grid; grid-template-columns: 4.5rem minmax(0, 1fr); gap: 0.5rem; margin: 0.5rem 0; }
.prompt { color: #5d6678; font: 13px/1.4 monospace; text-align: right; padding-top: 0.35rem; }
pre { margin: 0; font: 13px/1.4 monospace; white-space: pre-wrap; word-break: break-word; }
pre.source { padding: 0.3rem 0.5rem; border: 1px solid #d8dce3; border-radius: 3px; background: #fafbfc; }
.output { margin-top: 0.3rem; overflow-x: auto; }
.stderr { background: #fdecea; }
.katex-html { display: none; }
img, svg { max-width: 100%; }
`;

async function bundleHtml(data: MimeBundle): Promise<string> {
  const mimeType = preferredMimeType(data);
  if (mimeType === undefined) return "";
  const value = data[mimeType];
  if (mimeType === VEGA_LITE_MIME) return mimeToHtml("image/svg+xml", await chartSvg(value)) ?? "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (mimeType === "image/png") return `<img alt="Image output" src="${escapeHtml(pngDataUrl(text))}">`;
  const html = mimeToHtml(mimeType, text) ?? "";
  return mimeType === "text/plain" ? `<pre>${html}</pre>` : html;
}

async function outputHtml(output: NbOutput): Promise<string> {
  switch (output.output_type) {
    case "stream":
      return `<pre class="${output.name}">${ansiToHtml(output.text)}</pre>`;
    case "error":
      return `<pre class="stderr">${ansiToHtml(errorText(output))}</pre>`;
    case "display_data":
    case "execute_result":
      return bundleHtml(output.data);
  }
}

async function cellHtml(cell: NbCell): Promise<string> {
  if (cell.cell_type !== "code") {
    const body = cell.cell_type === "markdown" ? `<div>${renderMarkdown(cell.source)}</div>` : `<pre>${escapeHtml(cell.source)}</pre>`;
    return `<section class="cell ${cell.cell_type}"><div class="prompt"></div>${body}</section>`;
  }
  const outputs = await Promise.all(cell.outputs.map(async (o) => `<div class="output">${await outputHtml(o)}</div>`));
  const prompt = `[${cell.execution_count ?? " "}]:`;
  return `<section class="cell code"><div class="prompt">${prompt}</div><div><pre class="source">${escapeHtml(cell.source)}</pre>${outputs.join("")}</div></section>`;
}

export async function notebookToHtml(notebook: NbNotebook, title: string): Promise<string> {
  const cells = await Promise.all(notebook.cells.map(cellHtml));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${cells.join("\n")}
</main>
</body>
</html>
`;
}
