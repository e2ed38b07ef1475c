/**
 * The server's h5grove API (server/h5grove), which H5GroveProvider reads slice by slice. Same origin:
 * the session cookie authenticates the requests. Relative to this page (/h5web/), so a base path in
 * front of the server still works.
 */
export const GROVE_URL = new URL("../api/lightbook/h5grove", location.href).href;

/**
 * Asks for the file's root group once before H5Web opens it, so that a file that cannot be opened
 * (outside the data root, missing, not HDF5) is reported as the server says why, with its status.
 */
export async function checkFile(file: string): Promise<void> {
  const response = await fetch(`${GROVE_URL}/meta/?${new URLSearchParams({ file, path: "/" })}`);
  if (response.ok) return;
  const body: unknown = await response.json().catch(() => null);
  const message = typeof body === "object" && body !== null && "message" in body && typeof body.message === "string" ? `: ${body.message}` : "";
  throw new Error(`${response.status} ${response.statusText}${message}`);
}
