import { auditEvent, type AuditDetail, type AuditEvent, type AuditRecord, type AuditResult, type AuditVerification } from "../../contracts/audit.ts";
import { parseContract } from "../../contracts/parse.ts";
import { coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { Db } from "../db/client.ts";
import type { AuditEvent as AuditRow } from "../db/generated/client.ts";
import { auditHash, ChainCheck, GENESIS } from "./chain.ts";

/** What a caller says happened; the time is the moment it is recorded. */
export interface AuditEntry {
  actor: string;
  action: string;
  resource: string;
  result: AuditResult;
  detail?: AuditDetail;
}

/** Events written per transaction, and read per page when verifying. */
const BATCH = 500;

function fromRow(row: AuditRow): AuditEvent {
  return parseContract(auditEvent, { ...row, seq: row.seq.toString(), at: row.at.toISOString() }, `audit event ${row.seq}`);
}

/**
 * The audit trail (issue 13, item 6). `record` returns at once: requests and cell executions do
 * not wait for the database. Events are written in order, in batches, by one writer at a time
 * across servers (an advisory lock held while the chain's last hash is read and the batch is
 * inserted). What could not be written stays queued and goes with the next write; a shutdown
 * writes what is queued before the database closes.
 */
export class AuditLog {
  private pending: AuditRecord[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  record(entry: AuditEntry): void {
    this.pending.push({ at: new Date().toISOString(), detail: {}, ...entry });
    this.flush().catch((e: unknown) =>
      this.log.error({ err: coerceError(e).message, queued: this.pending.length }, "could not write the audit trail; kept queued"),
    );
  }

  /** Settles once every event recorded so far is stored. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Newest first. */
  async list(before: string | undefined, limit: number): Promise<AuditEvent[]> {
    await this.flush();
    const rows = await this.db.auditEvent.findMany({
      where: before === undefined ? {} : { seq: { lt: BigInt(before) } },
      orderBy: { seq: "desc" },
      take: limit,
    });
    return rows.map(fromRow);
  }

  /** Every event, oldest first, page by page (the export). */
  async *all(): AsyncGenerator<AuditEvent[]> {
    await this.flush();
    for (let after = -1n; ;) {
      const rows = await this.db.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: BATCH });
      if (rows.length === 0) return;
      yield rows.map(fromRow);
      after = rows.at(-1)!.seq;
    }
  }

  /** Checks the whole chain; `progress` hears how many events were checked of how many. */
  async verify(progress?: (checked: number, total: number) => void): Promise<AuditVerification> {
    await this.flush();
    const total = await this.db.auditEvent.count();
    const check = new ChainCheck();
    let seen = 0;
    for await (const page of this.all()) {
      const holds = check.add(page);
      seen += page.length;
      progress?.(seen, total);
      if (!holds) break;
    }
    return check.result();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH);
      try {
        await this.append(batch);
      } catch (e: unknown) {
        this.pending.unshift(...batch);
        throw e;
      }
    }
  }

  private async append(batch: AuditRecord[]): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('lightbook audit'))`;
      const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
      let prevHash = last?.hash ?? GENESIS;
      const data = batch.map((r) => {
        const hash = auditHash(prevHash, r);
        const row = { ...r, at: new Date(r.at), prevHash, hash };
        prevHash = hash;
        return row;
      });
      await tx.auditEvent.createMany({ data });
    });
  }
}
