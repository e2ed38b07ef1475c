// The output sanitizer (web/lib/sanitize.ts) in Chromium, the engine whose CSS parser it relies on
// (issue 12, item 6): the style allowlist against filter bypasses (comments, escapes, image-set,
// var…), no remote fetches, KaTeX's own styles kept, and the XSS corpus. The module is bundled
// with esbuild and served from a loopback page, so same-origin URLs mean something.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { XSS_HTML, XSS_MARKDOWN, XSS_SVG } from "../support/xss-corpus.ts";

const ENTRY = `
import { renderMarkdown, sanitizeHtml, sanitizeSvg } from "./web/lib/sanitize";
import katex from "katex";
window.lightbook = { renderMarkdown, sanitizeHtml, sanitizeSvg, katex: (tex) => katex.renderToString(tex, { displayMode: true, throwOnError: true }) };
`;

interface Exposed {
  renderMarkdown(source: string): string;
  sanitizeHtml(html: string): string;
  sanitizeSvg(svg: string): string;
  katex(tex: string): string;
}
type Win = Window & { lightbook: Exposed; __xss?: number };

let http: Server;
let browser: Browser;
let origin: string;

before(async () => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: path.resolve(import.meta.dirname, "../.."), loader: "js" },
    bundle: true,
    write: false,
    format: "iife",
    logLevel: "warning",
  });
  const script = bundle.outputFiles[0]!.text;
  http = createServer((req, res) => {
    if (req.url === "/sanitize.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(script);
    else
      res
        .writeHead(200, { "Content-Type": "text/html" })
        .end(`<!doctype html><html><head><script src="/sanitize.js"></script></head><body><div id="host"></div></body></html>`);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  origin = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => http?.close(resolve));
});

/** A page with the sanitizer loaded; `offsite` collects every request that left the loopback server. */
async function sanitizerPage(): Promise<{ page: Page; offsite: string[] }> {
  const page = await browser.newPage();
  const offsite: string[] = [];
  page.on("request", (r) => void (!r.url().startsWith(origin) && !r.url().startsWith("data:") && offsite.push(r.url())));
  await page.goto(`${origin}/`);
  return { page, offsite };
}

/** Each style tries to position over the app, fetch a URL or smuggle a value past a filter. */
const STYLE_ATTACKS = [
  "position:/**/fixed;inset:0",
  "position:/* a comment */ fixed",
  "position:\\66 ixed",
  "position:\\000066ixed",
  "position:\\66ixed",
  "posit\\69 on:fixed",
  "p\\osition:fixed",
  "position :FIXED !important",
  "position:sticky;top:0",
  "position:absolute;top:0",
  "position:-webkit-sticky",
  "position:var(--p)",
  "position:inherit",
  "background:u\\72 l(http://xss.invalid/1.png)",
  "background:url(http://xss.invalid/2.png)",
  "background-image:url('http://xss.invalid/3.png')",
  "background-image:image-set('http://xss.invalid/4.png' 1x)",
  "background-image:-webkit-image-set(url(http://xss.invalid/5.png) 1x)",
  'background:image-set("http://xss.invalid/6.png" 1x)',
  "background-image:\\69 mage-set('http://xss.invalid/7.png' 1x)",
  "list-style:url(http://xss.invalid/8.png)",
  "list-style-image:url(http://xss.invalid/9.png)",
  "cursor:url(http://xss.invalid/10.png),auto",
  "border-image:url(http://xss.invalid/11.png) 30",
  "border-image-source:url(http://xss.invalid/12.png)",
  "mask-image:url(http://xss.invalid/13.png)",
  "-webkit-mask:url(http://xss.invalid/14.png)",
  "filter:url(http://xss.invalid/15.svg#f)",
  "clip-path:url(http://xss.invalid/16.svg#c)",
  "content:url(http://xss.invalid/17.png)",
  "--x:url(http://xss.invalid/18.png);background-image:var(--x)",
  "--y:fixed;position:var(--y)",
  "background:var(--z,url(http://xss.invalid/19.png))",
  "width:expression(alert(1))",
  "behavior:url(http://xss.invalid/20.htc)",
  "-moz-binding:url(http://xss.invalid/21.xml#x)",
  "z-index:2147483647",
  "transform:translateY(-1000px)",
  "translate:0 -1000px",
  "color:red;}*{position:fixed",
  "color:red;@import url(http://xss.invalid/22.css)",
  "color:attr(data-x)",
  "color:env(safe-area-inset-top)",
  "font-family:'a\\\\', serif",
  "animation:spin 1s infinite",
];

test("inline styles keep only allowlisted properties and values, however the attack is spelled", async () => {
  const { page, offsite } = await sanitizerPage();
  const results = await page.evaluate((attacks) => {
    const host = document.getElementById("host")!;
    return attacks.map((style) => {
      const html = (window as unknown as Win).lightbook.sanitizeHtml(`<div class="probe" style="${style.replace(/"/g, "&quot;")}">x</div>`);
      host.innerHTML = html;
      const el = host.querySelector(".probe");
      const computed = el ? getComputedStyle(el) : null;
      return { style, html, position: computed?.position, background: computed?.backgroundImage, zIndex: computed?.zIndex, transform: computed?.transform };
    });
  }, STYLE_ATTACKS);
  for (const r of results) {
    const what = `${r.style} → ${r.html}`;
    assert.ok(r.position === "static" || r.position === "relative", `position ${r.position}: ${what}`);
    assert.equal(r.background, "none", what);
    assert.equal(r.zIndex, "auto", what);
    assert.equal(r.transform, "none", what);
    assert.doesNotMatch(r.html, /url|image-set|var\(|expression|fixed|sticky|absolute|binding|behavior|@import|attr\(|env\(|animation|\\/i, what);
  }
  assert.equal(
    results.find((r) => r.style.startsWith("color:red;}"))?.html,
    '<div class="probe" style="color: red;">x</div>',
    "a declaration list cannot be closed early",
  );
  await page.waitForLoadState("networkidle");
  assert.deepEqual(offsite, [], "no style fetched anything");
  await page.close();
});

/**
 * For each element that `html` styles inline: every longhand it declares, computed on it and on its
 * sanitized counterpart (both attached, paired in document order within `within`). Equal lists mean the
 * sanitizer kept the style.
 */
async function computedBothWays(page: Page, html: string, within = ""): Promise<{ raw: string[]; clean: string[] }> {
  return page.evaluate(
    ([source, scope]) => {
      const host = document.getElementById("host")!;
      host.innerHTML = `<div id="a">${source}</div><div id="b">${(window as unknown as Win).lightbook.sanitizeHtml(source)}</div>`;
      const original = [...host.querySelectorAll<HTMLElement>(`#a ${scope} *`)];
      const sanitized = [...host.querySelectorAll<HTMLElement>(`#b ${scope} *`)];
      const result = { raw: [] as string[], clean: [] as string[] };
      original.forEach((el, index) => {
        const twin = sanitized[index];
        for (let i = 0; i < el.style.length; i++) {
          const property = el.style.item(i);
          result.raw.push(`${el.localName} ${property}: ${getComputedStyle(el).getPropertyValue(property)}`);
          result.clean.push(twin ? `${twin.localName} ${property}: ${getComputedStyle(twin).getPropertyValue(property)}` : "(element removed)");
        }
      });
      return result;
    },
    [html, within] as const,
  );
}

test("ordinary styles of tables, text and boxes are kept", async () => {
  const { page } = await sanitizerPage();
  const { raw, clean } = await computedBothWays(
    page,
    `<table><tr><td style="color: #c00; background-color: rgba(0, 0, 255, 0.1); font: italic bold 12px/1.5 'DejaVu Sans', serif; text-align: right; margin: 0 1em; padding: 2px 4px; border: 1px solid black; border-radius: 3px; width: 50%; max-width: calc(100% - 2em); display: inline-block; position: relative; top: -0.25em; vertical-align: -0.25em; white-space: pre; opacity: 0.5; text-decoration: underline dotted">cell</td></tr></table>`,
  );
  assert.ok(raw.length > 30, raw.join("; "));
  assert.deepEqual(clean, raw);
  await page.close();
});

test("KaTeX's own inline styles all survive the allowlist", async () => {
  const { page } = await sanitizerPage();
  const formulas = [
    String.raw`q = \frac{4\pi}{\lambda}\sin\theta`,
    String.raw`\sqrt[3]{x^2_i} + \hat{y} + \vec{v} + \overbrace{a+b}^{n} + \underline{z}`,
    String.raw`\begin{pmatrix}1 & 2\\ 3 & 4\end{pmatrix} \xrightarrow[below]{above} \boxed{E=mc^2}`,
    String.raw`\color{red}{x} \colorbox{yellow}{y} \fcolorbox{red}{#eef}{z} \textcolor{#228B22}{F=ma} \cancel{5} \not= \rule{1em}{0.2em}`,
    String.raw`\begin{CD} A @>a>> B \\ @VbVV @AAcA \\ C @= D \end{CD}`,
    String.raw`\int_0^\infty e^{-x^2}\,dx = \tfrac{\sqrt\pi}{2} \quad \sum_{i=1}^{N} \binom{N}{i}`,
  ];
  for (const tex of formulas) {
    const html = await page.evaluate((t) => (window as unknown as Win).lightbook.katex(t), tex);
    // KaTeX's HTML half: its MathML half has no styles and loses elements that DOMPurify drops.
    const { raw, clean } = await computedBothWays(page, html, ".katex-html");
    assert.ok(raw.length > 0, tex);
    assert.deepEqual(clean, raw, tex);
  }
  await page.close();
});

test("outputs fetch nothing from other sites: only data: and same-origin images and media", async () => {
  const { page, offsite } = await sanitizerPage();
  const png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  const html = [
    `<img id="remote" src="http://xss.invalid/a.png" alt="remote">`,
    `<img id="proto" src="//xss.invalid/b.png">`,
    `<img id="data" src="${png}">`,
    `<img id="local" src="/plot.png">`,
    `<img id="set" src="/plot.png" srcset="http://xss.invalid/c.png 2x">`,
    `<video id="video" poster="http://xss.invalid/d.png" src="http://xss.invalid/e.mp4"><source src="http://xss.invalid/f.webm"><track src="http://xss.invalid/g.vtt"></video>`,
    `<audio src="http://xss.invalid/h.ogg"></audio>`,
    `<table background="http://xss.invalid/i.png"><tr><td background="http://xss.invalid/j.png">t</td></tr></table>`,
    `<a id="link" href="https://example.org/docs" ping="http://xss.invalid/k">docs</a>`,
    `<svg width="20" height="20"><defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>`,
    `<image id="svg-image" href="http://xss.invalid/l.png" width="5" height="5"/><image xlink:href="http://xss.invalid/m.png"/>`,
    `<use id="use" href="http://xss.invalid/n.svg#a"/>`,
    `<rect id="remote-fill" width="5" height="5" fill="url(http://xss.invalid/o.svg#p)" filter="url(http://xss.invalid/p.svg#f)"/>`,
    `<rect id="local-fill" width="5" height="5" fill="url(#g)"/>`,
    `<filter id="f"><feImage href="http://xss.invalid/q.png"/></filter></svg>`,
  ].join("\n");
  const markdown = `![remote](http://xss.invalid/r.png) ![local](/s.png) <img src="http://xss.invalid/t.png">`;
  const { attrs: found, html: inserted } = await page.evaluate(
    ([h, md]) => {
      const { sanitizeHtml, renderMarkdown } = (window as unknown as Win).lightbook;
      const host = document.getElementById("host")!;
      host.innerHTML = sanitizeHtml(h!) + renderMarkdown(md!);
      const wanted: [string, string, string][] = [
        ["remote", "#remote", "src"],
        ["proto", "#proto", "src"],
        ["data", "#data", "src"],
        ["local", "#local", "src"],
        ["set", "#set", "srcset"],
        ["link", "#link", "href"],
        ["ping", "#link", "ping"],
        ["localFill", "#local-fill", "fill"],
        ["markdownLocal", 'img[alt="local"]', "src"],
      ];
      const attrs: Record<string, string | null> = Object.fromEntries(
        wanted.map(([key, sel, name]) => [key, host.querySelector(sel)?.getAttribute(name) ?? null]),
      );
      return { attrs, html: host.innerHTML };
    },
    [html, markdown],
  );
  assert.equal(found.remote, null);
  assert.equal(found.proto, null);
  assert.equal(found.set, null);
  assert.equal(found.ping, null);
  assert.ok(found.data?.startsWith("data:image/png"), "data: images stay");
  assert.equal(found.local, "/plot.png", "same-origin images stay");
  assert.equal(found.markdownLocal, "/s.png");
  assert.equal(found.link, "https://example.org/docs", "links to other sites stay (they navigate, they do not fetch)");
  assert.equal(found.localFill, "url(#g)");
  assert.doesNotMatch(inserted, /xss\.invalid/, inserted);
  await page.waitForLoadState("networkidle");
  assert.deepEqual(offsite, []);
  await page.close();
});

test("the XSS corpus, sanitized and inserted into a live page, runs nothing", async () => {
  const { page, offsite } = await sanitizerPage();
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const { html, attributes } = await page.evaluate(
    ([h, md, svg]) => {
      const { sanitizeHtml, renderMarkdown, sanitizeSvg } = (window as unknown as Win).lightbook;
      const host = document.getElementById("host")!;
      host.innerHTML = [sanitizeHtml(h!), renderMarkdown(md!), sanitizeSvg(svg!)].join("\n");
      const all = [...host.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => `${el.localName} ${a.name}=${a.value}`));
      return { html: host.innerHTML, attributes: all };
    },
    [XSS_HTML, XSS_MARKDOWN, XSS_SVG],
  );
  for (const link of await page.locator("#host a").all()) await link.click({ noWaitAfter: true }).catch(() => undefined);
  await page.waitForLoadState("networkidle");
  assert.equal(await page.evaluate(() => (window as unknown as Win).__xss), undefined, "no script ran");
  assert.deepEqual(dialogs, []);
  assert.deepEqual(offsite, []);
  assert.doesNotMatch(html, /<(script|iframe|object|embed|form|style|meta|base|input|button)\b/i, html);
  for (const attribute of attributes) assert.doesNotMatch(attribute, /^\S+ on|javascript:|data:/i, attribute);
  assert.equal(page.url(), `${origin}/`, "still on the page");
  await page.close();
});
