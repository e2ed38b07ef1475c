// A notebook's revisions (server/notebooks/routes.ts), through the one API layer (lib/jupyter.ts).

import { revisionList, revisionSummary, type RevisionList, type RevisionSummary } from "../../contracts/revisions";
import { lightbookRequest, responseOf } from "./jupyter";

export type { RevisionSummary };

function revisionsPath(path: string): string {
  return `notebooks/${path.split("/").map(encodeURIComponent).join("/")}/revisions`;
}

/** The newest revisions first, without their notebooks. */
export async function listRevisions(path: string, limit = 100): Promise<RevisionList> {
  const response = await lightbookRequest("Could not list the revisions", `${revisionsPath(path)}?limit=${limit}`);
  return responseOf(revisionList, response, "the revisions");
}

/** Makes revision `id`'s notebook the head again, as a new 'restore' revision. */
export async function restoreRevision(path: string, id: string): Promise<RevisionSummary> {
  const response = await lightbookRequest("Could not restore the revision", `${revisionsPath(path)}/${encodeURIComponent(id)}/restore`, { method: "POST" });
  return responseOf(revisionSummary, response, "the restored revision");
}
