"use client";

// Admin page: proposals (create, edit), their members and beamtime sessions.

import { MEMBERSHIP_ROLES, type MembershipRole } from "../../contracts/admin";
import { addBeamtime, addMember, createProposal, listProposals, removeBeamtime, removeMember, updateProposal, type ProposalModel } from "../lib/adminApi";
import { formatDateTime } from "../lib/runs";
import { usePolling } from "../lib/usePolling";
import { ActionError, useAdminAction } from "./AdminActions";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import "./admin.css";
import "./runs.css";

const once = () => false;

/** A datetime-local value (the browser's time zone) as ISO 8601 with its offset. */
function isoFromLocal(value: string | undefined): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

function ProposalFields({ p }: { p?: ProposalModel }) {
  return (
    <>
      <label>
        Title <input name="title" defaultValue={p?.title} maxLength={300} />
      </label>
      <label>
        Beamline <input name="beamline" defaultValue={p?.beamline} required maxLength={100} />
      </label>
      <label>
        Data folder <input name="dataFolder" defaultValue={p?.dataFolder} required maxLength={1024} placeholder="relative to the data root" />
      </label>
      <label>
        Data embargo <input name="embargo" type="datetime-local" defaultValue={p?.embargo ? p.embargo.slice(0, 16) : undefined} />
      </label>
    </>
  );
}

function CreateProposalForm({ after }: { after: () => void }) {
  const { busy, error, submit } = useAdminAction(after);
  return (
    <form
      className="admin-form"
      aria-label="New proposal"
      onSubmit={submit(({ number, title, beamline, dataFolder, embargo }) =>
        createProposal({ number, title, beamline, dataFolder, embargo: isoFromLocal(embargo) ?? null }),
      )}
    >
      <h2>New proposal</h2>
      <label>
        Number <input name="number" required maxLength={64} />
      </label>
      <ProposalFields />
      <button type="submit" className="primary" disabled={busy}>
        Create proposal
      </button>
      <ActionError error={error} />
    </form>
  );
}

function RemoveCell({ busy, onRemove }: { busy: boolean; onRemove: () => void }) {
  return (
    <td>
      <button type="button" disabled={busy} onClick={onRemove}>
        Remove
      </button>
    </td>
  );
}

function ProposalCard({ p, after }: { p: ProposalModel; after: () => void }) {
  const { busy, error, run, submit } = useAdminAction(after);
  return (
    <details className="admin-card" data-testid="proposal" aria-label={`Proposal ${p.number}`}>
      <summary>
        <strong>{p.number}</strong> {p.title} <span className="muted">{p.beamline}</span>{" "}
        <span className="muted">
          {p.members.length} member{p.members.length === 1 ? "" : "s"}, {p.beamtimes.length} beamtime{p.beamtimes.length === 1 ? "" : "s"}
        </span>
      </summary>
      <ActionError error={error} />
      <form
        className="admin-form"
        aria-label={`Edit proposal ${p.number}`}
        onSubmit={submit(({ title, beamline, dataFolder, embargo }) =>
          updateProposal(p, { title: title ?? "", beamline, dataFolder, embargo: isoFromLocal(embargo) ?? null }),
        )}
      >
        <ProposalFields p={p} />
        <button type="submit" disabled={busy}>
          Save
        </button>
      </form>
      <h3>Members</h3>
      <DataTable label={`Members of ${p.number}`} columns={["User", "Role", ""]}>
        {p.members.map((m) => (
          <tr key={m.userId}>
            <td>{m.username}</td>
            <td>{m.role.replaceAll("_", " ")}</td>
            <RemoveCell busy={busy} onRemove={() => void run(() => removeMember(p, m.userId))} />
          </tr>
        ))}
      </DataTable>
      <form
        className="inline-form"
        aria-label={`Add a member to ${p.number}`}
        onSubmit={submit(({ username, role }) => addMember(p, username ?? "", role as MembershipRole))}
      >
        <input name="username" aria-label="Username" placeholder="username" required maxLength={64} />
        <select name="role" aria-label="Membership role" defaultValue="member">
          {MEMBERSHIP_ROLES.map((r) => (
            <option key={r} value={r}>
              {r.replaceAll("_", " ")}
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          Add member
        </button>
      </form>
      <h3>Beamtimes</h3>
      <DataTable label={`Beamtimes of ${p.number}`} columns={["Start", "End", ""]}>
        {p.beamtimes.map((b) => (
          <tr key={b.id}>
            <td>{formatDateTime(b.start)}</td>
            <td>{formatDateTime(b.end)}</td>
            <RemoveCell busy={busy} onRemove={() => void run(() => removeBeamtime(p, b.id))} />
          </tr>
        ))}
      </DataTable>
      <form
        className="inline-form"
        aria-label={`Add a beamtime to ${p.number}`}
        onSubmit={submit(({ start, end }) => addBeamtime(p, isoFromLocal(start) ?? "", isoFromLocal(end) ?? ""))}
      >
        <input name="start" type="datetime-local" aria-label="Beamtime start" required />
        <input name="end" type="datetime-local" aria-label="Beamtime end" required />
        <button type="submit" disabled={busy}>
          Add beamtime
        </button>
      </form>
    </details>
  );
}

export default function AdminProposals() {
  const { value: proposals, error, refresh } = usePolling(listProposals, 0, once);
  return (
    <div className="admin">
      <div className="list-header">
        <h1>Proposals</h1>
      </div>
      <LoadStatus loaded={proposals !== null} error={error} />
      {proposals?.length === 0 && <p className="page-message">No proposal yet.</p>}
      {proposals?.map((p) => (
        <ProposalCard key={p.id} p={p} after={refresh} />
      ))}
      <CreateProposalForm after={refresh} />
    </div>
  );
}
