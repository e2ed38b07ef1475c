"use client";

// Admin page: users (create, role, beamlines, disable, password) and every user's API tokens (revoke).

import { USER_ROLES, type UserRole } from "../../contracts/accounts";
import { createUser, listAllTokens, listUsers, revokeAnyToken, setUserPassword, updateUser, type AdminUser } from "../lib/adminApi";
import { formatDateTime } from "../lib/runs";
import { usePolling } from "../lib/usePolling";
import { ActionError, useAdminAction } from "./AdminActions";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import "./admin.css";
import "./runs.css";

const once = () => false;

/** "P11, P06" as typed: the beamlines an instrument scientist looks after. */
function beamlinesOf(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((b) => b.trim())
    .filter(Boolean);
}

function CreateUserForm({ after }: { after: () => void }) {
  const { busy, error, submit } = useAdminAction(after);
  return (
    <form
      className="admin-form"
      aria-label="New user"
      onSubmit={submit(({ username, displayName, email, role, beamlines, password }) =>
        createUser({ username, displayName, email, role: role as UserRole, beamlines: beamlinesOf(beamlines), password }),
      )}
    >
      <h2>New user</h2>
      <label>
        Username <input name="username" required maxLength={64} autoComplete="off" />
      </label>
      <label>
        Display name <input name="displayName" maxLength={200} />
      </label>
      <label>
        Email <input name="email" type="email" maxLength={320} />
      </label>
      <label>
        Role{" "}
        <select name="role" defaultValue="user">
          {USER_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Beamlines <input name="beamlines" maxLength={400} placeholder="P11, P06 (instrument scientists)" />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="new-password" placeholder="empty: single sign-on only" />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Create user
      </button>
      <ActionError error={error} />
    </form>
  );
}

function UserRow({ user, after }: { user: AdminUser; after: () => void }) {
  const { busy, error, run, submit } = useAdminAction(after);
  return (
    <tr data-testid="user-row">
      <td>{user.username}</td>
      <td>{user.displayName}</td>
      <td>{user.email ?? ""}</td>
      <td>
        <select
          aria-label={`Role of ${user.username}`}
          value={user.role}
          disabled={busy}
          onChange={(e) => void run(() => updateUser(user, { role: e.target.value as UserRole }))}
        >
          {USER_ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td>
        <form
          key={user.beamlines.join(",")}
          className="inline-form"
          onSubmit={submit(({ beamlines }) => updateUser(user, { beamlines: beamlinesOf(beamlines) }))}
        >
          <input name="beamlines" aria-label={`Beamlines of ${user.username}`} defaultValue={user.beamlines.join(", ")} placeholder="none" maxLength={400} />
          <button type="submit" disabled={busy}>
            Save
          </button>
        </form>
      </td>
      <td>{[user.hasPassword ? "password" : null, user.sso ? "single sign-on" : null].filter(Boolean).join(", ") || "none"}</td>
      <td>
        <label>
          <input
            type="checkbox"
            aria-label={`${user.username} disabled`}
            checked={user.disabled}
            disabled={busy}
            onChange={(e) => void run(() => updateUser(user, { disabled: e.target.checked }))}
          />{" "}
          disabled
        </label>
      </td>
      <td>
        <form className="inline-form" onSubmit={submit(({ password }) => setUserPassword(user, password ?? ""))}>
          <input name="password" type="password" aria-label={`New password for ${user.username}`} placeholder="new password" autoComplete="new-password" />
          <button type="submit" disabled={busy}>
            Set password
          </button>
        </form>
        <ActionError error={error} />
      </td>
    </tr>
  );
}

function Tokens() {
  const { value: tokens, error, refresh } = usePolling(listAllTokens, 0, once);
  const action = useAdminAction(refresh);
  return (
    <section>
      <h2>API tokens</h2>
      <LoadStatus loaded={tokens !== null} error={error ?? action.error} />
      {tokens?.length === 0 && <p className="page-message">No user has an API token.</p>}
      {tokens && tokens.length > 0 && (
        <DataTable label="API tokens" columns={["User", "Name", "Scopes", "Created", "Expires", "Last used", ""]}>
          {tokens.map((t) => (
            <tr key={t.id} data-testid="token-row">
              <td>{t.username}</td>
              <td>{t.name}</td>
              <td>{t.scopes.join(", ")}</td>
              <td>{formatDateTime(t.created)}</td>
              <td>{formatDateTime(t.expires)}</td>
              <td>{t.lastUsed ? formatDateTime(t.lastUsed) : "never"}</td>
              <td>
                {t.revoked ? (
                  `revoked ${formatDateTime(t.revoked)}`
                ) : (
                  <button type="button" className="danger" disabled={action.busy} onClick={() => void action.run(() => revokeAnyToken(t))}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export default function AdminUsers() {
  const { value: users, error, refresh } = usePolling(listUsers, 0, once);
  return (
    <div className="admin">
      <div className="list-header">
        <h1>Users</h1>
      </div>
      <LoadStatus loaded={users !== null} error={error} />
      {users && (
        <DataTable label="Users" columns={["Username", "Name", "Email", "Role", "Beamlines", "Login", "State", ""]}>
          {users.map((u) => (
            <UserRow key={u.id} user={u} after={refresh} />
          ))}
        </DataTable>
      )}
      <CreateUserForm after={refresh} />
      <Tokens />
    </div>
  );
}
