// The server's runner stores cells' outputs into the notebook (server/notebooks/); the page's
// saves leave them alone, so clearing outputs is asked of the server.

import { lightbookRequest } from "./jupyter";

/** Clears the stored outputs of one cell, or of every cell (`null`); a cell not saved yet has none. */
export async function clearStoredOutputs(path: string, cellId: string | null): Promise<void> {
  const body = JSON.stringify(cellId === null ? { all: true } : { cell_ids: [cellId] });
  const where = path.split("/").map(encodeURIComponent).join("/");
  await lightbookRequest("Could not clear the stored outputs", `notebooks/${where}/outputs/clear`, { method: "POST", body });
}
