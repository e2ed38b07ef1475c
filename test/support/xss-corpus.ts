// The XSS corpus that outputs and markdown must survive: rendered in the app (test/browser/outputs.test.ts)
// and through the sanitizer alone (test/browser/sanitize.test.ts).

/** Each entry tries to run `window.__xss = n` (or to open a dialog) a different way. */
export const XSS_HTML = [
  `<img src="x" onerror="window.__xss=1">`,
  `<svg><script>window.__xss=2</script></svg>`,
  `<a id="js-link" href="javascript:window.__xss=3">javascript link</a>`,
  `<form action="javascript:window.__xss=4"><input name="p" value="secret"><button id="form-button">send</button></form>`,
  `<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>`,
  `<a id="data-link" href="data:text/html,<script>alert(6)</script>">data link</a>`,
  `<div id="overlay" style="position:fixed;inset:0;background:red;z-index:99">fake login</div>`,
  `<div style="background-image:url(http://xss.invalid/bg.png)">styled</div>`,
  `<style>body{display:none} @import url(http://xss.invalid/a.css);</style>`,
  `<details open ontoggle="window.__xss=7"><summary>d</summary></details>`,
  `<svg><animate onbegin="window.__xss=8" attributeName="x" dur="1s"/></svg>`,
  `<svg><a href="javascript:window.__xss=9"><text x="0" y="15">svg link</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=10"></style></mglyph></table></mtext></math>`,
  `<object data="javascript:window.__xss=11"></object><embed src="javascript:window.__xss=12">`,
  `<meta http-equiv="refresh" content="0;url=javascript:window.__xss=13"><base href="javascript:window.__xss=14//">`,
  `<body onload="window.__xss=15"><video><source onerror="window.__xss=16"></video>`,
].join("\n");

export const XSS_MARKDOWN = `# Corpus\n\n[md js link](javascript:window.__xss=20) ![img](x" onerror="window.__xss=21)\n\n<a href="javascript:window.__xss=22">raw</a>\n\n${XSS_HTML}`;

export const XSS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=30" width="40" height="40"><script>window.__xss=31</script><foreignObject><img src="x" onerror="window.__xss=32"/></foreignObject><rect width="40" height="40" fill="green"/></svg>`;
