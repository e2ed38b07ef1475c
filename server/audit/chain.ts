import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { AuditEvent, AuditRecord, AuditVerification } from "../../contracts/audit.ts";

/** The previous hash of the first event. */
export const GENESIS = "0".repeat(64);

/**
 * sha256 (hex) of the previous event's hash and this event's fields as canonical JSON (keys
 * sorted), so a JSONB round trip of `detail` keeps it.
 */
export function auditHash(prevHash: string, record: AuditRecord): string {
  const { at, actor, action, resource, result, detail } = record;
  return createHash("sha256")
    .update(`${prevHash}\n${stringify({ at, actor, action, resource, result, detail })}`)
    .digest("hex");
}

/**
 * Checks events in seq order, each page carrying on from the last hash of the one before, so a
 * long trail is checked page by page. Stops at the first event that does not hold.
 */
export class ChainCheck {
  private last = GENESIS;
  private count = 0;
  private broken: { seq: string; reason: string } | null = null;

  /** False once the chain is broken: the caller stops reading. */
  add(events: readonly AuditEvent[]): boolean {
    for (const e of events) {
      if (this.broken) return false;
      if (e.prevHash !== this.last)
        this.broken = { seq: e.seq, reason: "its link to the event before it does not hold (an event was removed, inserted or reordered)" };
      else if (auditHash(e.prevHash, e) !== e.hash) this.broken = { seq: e.seq, reason: "its fields do not match its hash (the event was changed)" };
      else {
        this.last = e.hash;
        this.count++;
      }
    }
    return this.broken === null;
  }

  result(): AuditVerification {
    return { checked: this.count, brokenAt: this.broken?.seq ?? null, reason: this.broken?.reason ?? null };
  }
}
