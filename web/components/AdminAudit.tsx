"use client";

// Admin page: the audit trail (issue 13, item 6), newest first, page by page; a check of its
// hash chain, and the whole trail as JSON Lines.

import { useCallback, useEffect, useState } from "react";
import { describeVerification } from "../../contracts/audit";
import { AUDIT_EXPORT_PATH, listAudit, verifyAudit, type AuditEvent, type AuditVerification } from "../lib/adminApi";
import { errorMessage } from "../lib/jupyter";
import { formatDateTime } from "../lib/runs";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import "./admin.css";
import "./runs.css";

const PAGE = 100;

function detailText(detail: AuditEvent["detail"]): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(", ");
}

function Verification() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<AuditVerification | string | null>(null);
  const verify = async () => {
    setBusy(true);
    try {
      setOutcome(await verifyAudit());
    } catch (e: unknown) {
      setOutcome(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void verify()}>
        {busy ? "Verifying…" : "Verify chain"}
      </button>
      {typeof outcome === "string" && (
        <p className="notice" role="alert">
          {outcome}
        </p>
      )}
      {outcome !== null && typeof outcome !== "string" && (
        <p
          className={outcome.brokenAt === null ? "page-message" : "notice"}
          role={outcome.brokenAt === null ? "status" : "alert"}
          data-testid="audit-verification"
        >
          {describeVerification(outcome)}
        </p>
      )}
    </>
  );
}

export default function AdminAudit() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (before: string | null) => {
    setError(null);
    try {
      const page = await listAudit(before, PAGE);
      setEvents((shown) => (before === null ? page : [...(shown ?? []), ...page]));
      setMore(page.length === PAGE);
    } catch (e: unknown) {
      setError(errorMessage(e));
    }
  }, []);
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <div className="admin">
      <div className="list-header">
        <h1>Audit trail</h1>
        <button type="button" onClick={() => void load(null)}>
          Refresh
        </button>
        <Verification />
        <a href={AUDIT_EXPORT_PATH} download>
          Export JSON Lines
        </a>
      </div>
      <LoadStatus loaded={events !== null} error={error} />
      {events?.length === 0 && <p className="page-message">Nothing recorded yet.</p>}
      {events && events.length > 0 && (
        <DataTable label="Audit events" columns={["#", "Time", "User", "Action", "Resource", "Result", "Detail"]}>
          {events.map((e) => (
            <tr key={e.seq} data-testid="audit-row" data-result={e.result}>
              <td>{e.seq}</td>
              <td>{formatDateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td className="audit-resource">{e.resource}</td>
              <td>{e.result}</td>
              <td>{detailText(e.detail)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {more && events && (
        <button type="button" onClick={() => void load(events.at(-1)!.seq)}>
          Older events
        </button>
      )}
    </div>
  );
}
