/** The data API's address for a path in the data root, relative to the server's base URL. */
export function dataApiPath(what: "tree", path: string): string {
  const encoded = path === "" ? "" : `/${path.split("/").map(encodeURIComponent).join("/")}`;
  return `api/lightbook/data/${what}${encoded}`;
}
