import { Router } from "express";
import { auditQuery, type AuditPage, type AuditVerification } from "../../contracts/audit.ts";
import { requireAdmin } from "../admin/require-admin.ts";
import { parseQuery } from "../http/validate.ts";
import type { AuditLog } from "./audit-log.ts";
import type { AccessResolver } from "../auth/authorizer.ts";

const PREFIX = "/api/lightbook/admin/audit";

/**
 * The audit trail for admins: a page of events, newest first (`?before=<seq>&limit=`), the whole
 * trail as JSON Lines, oldest first, and a check of its hash chain.
 */
export function auditRoutes(audit: AuditLog, access: AccessResolver): Router {
  const r = Router();
  r.use(PREFIX, requireAdmin(access));
  r.get(PREFIX, async (req, res) => {
    const { before, limit } = parseQuery(auditQuery, req.query);
    const body: AuditPage = { events: await audit.list(before, limit) };
    res.json(body);
  });
  r.get(`${PREFIX}/export`, async (_req, res) => {
    res.type("application/jsonl").attachment("lightbook-audit.jsonl");
    for await (const page of audit.all()) res.write(page.map((e) => `${JSON.stringify(e)}\n`).join(""));
    res.end();
  });
  r.get(`${PREFIX}/verify`, async (_req, res) => {
    const body: AuditVerification = await audit.verify();
    res.json(body);
  });
  return r;
}
