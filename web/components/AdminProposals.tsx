"use client";

// Admin page: proposals (create, edit), their members and beamtime sessions.

import type { FormEvent } from "react";
import { MEMBERSHIP_ROLES, type MembershipRole } from "../../contracts/admin";
import { addBeamtime, addMember, createProposal, listProposals, removeBeamtime, removeMember, updateProposal, type ProposalModel } from "../lib/adminApi";
import { formatDateTime } from "../lib/runs";
import { usePolling } from "../lib/usePolling";
import { formFields, useAdminAction } from "./AdminActions";
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
  const { busy, error, run } = useAdminAction(after);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const { number, title, beamline, dataFolder, embargo } = formFields(form);
    if (await run(() => createProposal({ number, title, beamline, dataFolder, embargo: isoFromLocal(embargo) ?? null }))) form.reset();
  };
  return (
    <form className="admin-form" aria-label="New proposal" onSubmit={(e) => void submit(e)}>
      <h2>New proposal</h2>
      <label>
        Number <input name="number" required maxLength={64} />
      </label>
      <ProposalFields />
      <button type="submit" className="primary" disabled={busy}>
        Create proposal
      </button>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function ProposalCard({ p, after }: { p: ProposalModel; after: () => void }) {
  const { busy, error, run } = useAdminAction(after);
  const edit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const { title, beamline, dataFolder, embargo } = formFields(e.currentTarget);
    void run(() => updateProposal(p, { title: title ?? "", beamline, dataFolder, embargo: isoFromLocal(embargo) ?? null }));
  };
  const member = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const { username, role } = formFields(form);
    if (username && (await run(() => addMember(p, username, role as MembershipRole)))) form.reset();
  };
  const beamtime = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const { start, end } = formFields(form);
    if (await run(() => addBeamtime(p, isoFromLocal(start) ?? "", isoFromLocal(end) ?? ""))) form.reset();
  };
  return (
    <details className="admin-card" data-testid="proposal" aria-label={`Proposal ${p.number}`}>
      <summary>
        <strong>{p.number}</strong> {p.title} <span className="muted">{p.beamline}</span>{" "}
        <span className="muted">
          {p.members.length} member{p.members.length === 1 ? "" : "s"}, {p.beamtimes.length} beamtime{p.beamtimes.length === 1 ? "" : "s"}
        </span>
      </summary>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      <form className="admin-form" aria-label={`Edit proposal ${p.number}`} onSubmit={edit}>
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
            <td>
              <button type="button" disabled={busy} onClick={() => void run(() => removeMember(p, m.userId))}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <form className="inline-form" aria-label={`Add a member to ${p.number}`} onSubmit={(e) => void member(e)}>
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
            <td>
              <button type="button" disabled={busy} onClick={() => void run(() => removeBeamtime(p, b.id))}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      <form className="inline-form" aria-label={`Add a beamtime to ${p.number}`} onSubmit={(e) => void beamtime(e)}>
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
