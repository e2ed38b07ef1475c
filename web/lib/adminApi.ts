// The admin API (/api/lightbook/admin/*) and the caller's own spaces (/api/lightbook/me*), parsed by
// the server's contracts (contracts/admin.ts, contracts/accounts.ts).

import {
  adminTokenList,
  adminUser,
  adminUserList,
  membershipModel,
  beamtimeModel,
  mySpaces,
  proposalList,
  proposalModel,
  type AdminTokenModel,
  type AdminUser,
  type CreateProposalBody,
  type CreateUserBody,
  type MembershipRole,
  type MySpaces,
  type ProposalModel,
  type UpdateProposalBody,
  type UpdateUserBody,
} from "../../contracts/admin";
import { principal, type Principal } from "../../contracts/accounts";
import { auditPage, auditVerification, type AuditEvent, type AuditVerification } from "../../contracts/audit";
import { lightbookRequest, responseOf } from "./jupyter";

export type { AdminTokenModel, AdminUser, AuditEvent, AuditVerification, MySpaces, ProposalModel };

const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
const id = encodeURIComponent;

export async function getMe(): Promise<Principal> {
  return responseOf(principal, await lightbookRequest("Could not read who is logged in", "me"), "the caller");
}

export async function getMySpaces(): Promise<MySpaces> {
  return responseOf(mySpaces, await lightbookRequest("Could not list your proposals", "me/proposals"), "your proposals");
}

export async function listUsers(): Promise<AdminUser[]> {
  return responseOf(adminUserList, await lightbookRequest("Could not list users", "admin/users"), "the users");
}

export async function createUser(body: Partial<CreateUserBody>): Promise<AdminUser> {
  return responseOf(adminUser, await lightbookRequest(`Could not create user ${body.username ?? ""}`, "admin/users", json("POST", body)), "the new user");
}

export async function updateUser(user: AdminUser, body: UpdateUserBody): Promise<AdminUser> {
  return responseOf(adminUser, await lightbookRequest(`Could not change user ${user.username}`, `admin/users/${id(user.id)}`, json("PATCH", body)), "the user");
}

/** A new password, or null to leave the account single sign-on only. */
export async function setUserPassword(user: AdminUser, password: string | null): Promise<void> {
  await lightbookRequest(`Could not set the password of ${user.username}`, `admin/users/${id(user.id)}/password`, json("PUT", { password }));
}

export async function listProposals(): Promise<ProposalModel[]> {
  return responseOf(proposalList, await lightbookRequest("Could not list proposals", "admin/proposals"), "the proposals");
}

export async function createProposal(body: Partial<CreateProposalBody>): Promise<ProposalModel> {
  return responseOf(
    proposalModel,
    await lightbookRequest(`Could not create proposal ${body.number ?? ""}`, "admin/proposals", json("POST", body)),
    "the new proposal",
  );
}

export async function updateProposal(p: ProposalModel, body: UpdateProposalBody): Promise<ProposalModel> {
  return responseOf(
    proposalModel,
    await lightbookRequest(`Could not change proposal ${p.number}`, `admin/proposals/${id(p.id)}`, json("PATCH", body)),
    "the proposal",
  );
}

export async function addMember(p: ProposalModel, username: string, role: MembershipRole): Promise<void> {
  const r = await lightbookRequest(
    `Could not add ${username} to proposal ${p.number}`,
    `admin/proposals/${id(p.id)}/members`,
    json("POST", { username, role }),
  );
  await responseOf(membershipModel, r, "the membership");
}

export async function removeMember(p: ProposalModel, userId: string): Promise<void> {
  await lightbookRequest(`Could not remove the member from proposal ${p.number}`, `admin/proposals/${id(p.id)}/members/${id(userId)}`, { method: "DELETE" });
}

export async function addBeamtime(p: ProposalModel, start: string, end: string): Promise<void> {
  const r = await lightbookRequest(`Could not add a beamtime to proposal ${p.number}`, `admin/proposals/${id(p.id)}/beamtimes`, json("POST", { start, end }));
  await responseOf(beamtimeModel, r, "the beamtime");
}

export async function removeBeamtime(p: ProposalModel, beamtimeId: string): Promise<void> {
  await lightbookRequest(`Could not remove the beamtime of proposal ${p.number}`, `admin/proposals/${id(p.id)}/beamtimes/${id(beamtimeId)}`, {
    method: "DELETE",
  });
}

export async function listAllTokens(): Promise<AdminTokenModel[]> {
  return responseOf(adminTokenList, await lightbookRequest("Could not list tokens", "admin/tokens"), "the tokens");
}

export async function revokeAnyToken(token: AdminTokenModel): Promise<void> {
  await lightbookRequest(`Could not revoke token ${token.name}`, `admin/tokens/${id(token.id)}`, { method: "DELETE" });
}

/** A page of the audit trail, newest first; `before` an event's seq for older ones. */
export async function listAudit(before: string | null, limit = 100): Promise<AuditEvent[]> {
  const query = new URLSearchParams({ limit: String(limit), ...(before === null ? {} : { before }) });
  return (await responseOf(auditPage, await lightbookRequest("Could not read the audit trail", `admin/audit?${query}`), "the audit trail")).events;
}

export async function verifyAudit(): Promise<AuditVerification> {
  return responseOf(auditVerification, await lightbookRequest("Could not verify the audit trail", "admin/audit/verify"), "the audit check");
}

/** Downloaded by the browser itself (a link), with its cookie. */
export const AUDIT_EXPORT_PATH = "/api/lightbook/admin/audit/export";
