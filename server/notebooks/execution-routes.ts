import { Router, type Request, type Response } from "express";
import { parseBody, parseQuery } from "../http/validate.ts";
import { normalizeContentsPath } from "../contents/paths.ts";
import { cellExecutionsQuery, cellSelection, type CellExecutionsResponse } from "../../contracts/executions.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { auditExecutions } from "../audit/executions.ts";
import { principalOf } from "../auth/middleware.ts";
import type { NotebookRunner } from "./runner.ts";
import { authorize, type AccessResolver, type Action } from "../auth/authorizer.ts";

const PREFIX = "/api/lightbook/notebooks/";

/**
 * The notebook path between the prefix and `suffix`, from the raw (still percent-encoded) path,
 * normalised once, when the principal may do `action` to it.
 */
async function notebookPath(req: Request, res: Response, access: AccessResolver, action: Action, suffix: string): Promise<string> {
  const path = normalizeContentsPath(req.path.slice(PREFIX.length, req.path.length - suffix.length));
  await authorize(res, access, action, { kind: "notebook", path }, `No such notebook: ${path}`);
  return path;
}

/**
 * /api/lightbook/notebooks/{path}/…: the server-side runner of a stored notebook.
 *  - POST …/executions `{cell_ids}` or `{all: true}`: 202 with the executions queued;
 *  - GET …/executions[?wait=ms]: its recent executions; `wait` answers once none is queued or running;
 *  - POST …/outputs/clear `{cell_ids}` or `{all: true}`: 204 once the stored outputs are cleared.
 */
export function executionRoutes(runner: NotebookRunner, audit: AuditLog, access: AccessResolver): Router {
  const r = Router();
  r.post(/^\/api\/lightbook\/notebooks\/.+\/executions$/, async (req, res) => {
    const path = await notebookPath(req, res, access, "write", "/executions");
    const sent = auditExecutions(audit, principalOf(res).username);
    const body: CellExecutionsResponse = { executions: await runner.run(path, parseBody(cellSelection, req.body), principalOf(res).userId, sent) };
    res.status(202).json(body);
  });
  r.get(/^\/api\/lightbook\/notebooks\/.+\/executions$/, async (req, res) => {
    const path = await notebookPath(req, res, access, "read", "/executions");
    const { wait } = parseQuery(cellExecutionsQuery, req.query);
    if (wait) await runner.settled(path, wait);
    const body: CellExecutionsResponse = { executions: runner.list(path) };
    res.json(body);
  });
  r.post(/^\/api\/lightbook\/notebooks\/.+\/outputs\/clear$/, async (req, res) => {
    await runner.clear(await notebookPath(req, res, access, "write", "/outputs/clear"), parseBody(cellSelection, req.body));
    res.status(204).end();
  });
  return r;
}
