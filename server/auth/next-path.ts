/** Where a login may send the browser on: a path on this server, never another site (issue 12, item 3). */

const BASE = new URL("http://lightbook.invalid/");

/**
 * `next` as a same-origin path, or "/". Browsers read `/\evil`, `/\t/evil` (tabs and newlines are
 * dropped) and `//evil` as another host, so those are refused before parsing; the URL parser then
 * decides the origin, and the path it serializes must not start with "//" either (`/.//evil`
 * resolves to `//evil`, which a Location header would send off-site).
 */
export function sameOriginPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return "/";
  // Browsers read a backslash as a slash, and drop or hide control characters in an address.
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\\\u0000-\u001f\u007f-\u009f]/.test(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === BASE.origin && path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\") ? path : "/";
}
