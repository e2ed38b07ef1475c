import { z } from "./zod.ts";

/**
 * Issue 13, item 6: the audit trail (/api/lightbook/admin/audit). Append-only; each event carries
 * the hash of the one before it, so a changed, removed or reordered row breaks the chain there.
 */

export const AUDIT_RESULTS = ["ok", "refused", "failed"] as const;
export const auditResult = z.enum(AUDIT_RESULTS);
export type AuditResult = z.infer<typeof auditResult>;

/** Small, flat facts: strings, integers and booleans only, so a JSONB round trip keeps the hash. */
export const auditDetail = z.record(z.string(), z.union([z.string(), z.number().int(), z.boolean(), z.null()]));
export type AuditDetail = z.infer<typeof auditDetail>;

/** One event as recorded: who (a username, or "anonymous"), what, to which resource, and how it ended. */
export const auditRecord = z.object({
  at: z.iso.datetime({ offset: true }),
  actor: z.string(),
  /** `<METHOD> <route>` for requests; `login`, `logout`, `execute` for the rest. */
  action: z.string(),
  resource: z.string(),
  result: auditResult,
  detail: auditDetail,
});
export type AuditRecord = z.infer<typeof auditRecord>;

/** As listed and exported: with its place in the chain. */
export const auditEvent = auditRecord.extend({
  seq: z.string().regex(/^\d+$/),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof auditEvent>;

/** GET /api/lightbook/admin/audit: newest first, `before` a seq for the next page. */
export const auditQuery = z.object({
  // Up to 18 digits: within PostgreSQL's bigint, which refuses larger numbers (a 500).
  before: z
    .string()
    .regex(/^\d{1,18}$/, "before is an event's seq (up to 18 digits)")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditPage = z.object({ events: z.array(auditEvent) });
export type AuditPage = z.infer<typeof auditPage>;

/** GET /api/lightbook/admin/audit/verify, and `npm run audit:verify`. */
export const auditVerification = z.object({
  checked: z.number().int(),
  /** The first event whose hash or link to the one before does not hold; null: the chain holds. */
  brokenAt: z.string().nullable(),
  reason: z.string().nullable(),
});
export type AuditVerification = z.infer<typeof auditVerification>;

/** The outcome in one sentence, as the admin page and `npm run audit:verify` say it. */
export function describeVerification(v: AuditVerification): string {
  const events = (n: number) => `${n} event${n === 1 ? "" : "s"}`;
  return v.brokenAt === null
    ? `The chain holds: ${events(v.checked)}, each linked to the one before.`
    : `Broken at event ${v.brokenAt}: ${v.reason}. The ${events(v.checked)} before it hold${v.checked === 1 ? "s" : ""}.`;
}
