import { tokenModel, userRole } from "./accounts.ts";
import { z } from "./zod.ts";

/**
 * Issue 13, item 2: the admin API (/api/lightbook/admin/*) and the proposal switcher
 * (/api/lightbook/me/proposals). camelCase on the wire, as the rest of contracts/accounts.ts.
 */

/** As the login and account pages ask (server/auth/middleware.ts). */
export const MIN_PASSWORD_LENGTH = 12;
export const password = z.string().min(MIN_PASSWORD_LENGTH, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`).max(1000);

/**
 * A name that is also one path segment (`users/<username>/`, `proposals/<number>/`) and, for
 * usernames, a Unix account name of a kernel (item 4): no slashes, no leading dot or dash.
 */
const segment = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, `${what} takes 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`);

const isoDateTime = z.iso.datetime({ offset: true, message: "give an ISO 8601 date and time, e.g. 2026-12-02T08:00:00Z" });

export const MEMBERSHIP_ROLES = ["principal_investigator", "member"] as const;
export const membershipRole = z.enum(MEMBERSHIP_ROLES);
export type MembershipRole = z.infer<typeof membershipRole>;

/** A user as admins see them: never a password hash. */
export const adminUser = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  role: userRole,
  /** An instrument scientist's beamlines: they help (reach) every proposal on them. */
  beamlines: z.array(z.string()),
  /** Whether a local password is set; false: logs in through single sign-on only. */
  hasPassword: z.boolean(),
  /** Whether an OpenID provider's subject is linked. */
  sso: z.boolean(),
  disabled: z.boolean(),
  created: z.string(),
});
export type AdminUser = z.infer<typeof adminUser>;
export const adminUserList = z.array(adminUser);

const displayName = z.string().trim().max(200);
const beamlines = z.array(z.string().trim().min(1).max(64)).max(50);
const email = z.string().trim().email().max(320).nullable();

/** POST /api/lightbook/admin/users: without a password the account logs in through single sign-on. */
export const createUserBody = z.object({
  username: segment("a username"),
  displayName: displayName.default(""),
  email: email.default(null),
  role: userRole.default("user"),
  beamlines: beamlines.default([]),
  password: password.optional(),
});
export type CreateUserBody = z.infer<typeof createUserBody>;

/** PATCH /api/lightbook/admin/users/{id} */
export const updateUserBody = z
  .object({
    role: userRole,
    beamlines,
    disabled: z.boolean(),
    displayName,
    email,
  })
  .partial()
  .strict();
export type UpdateUserBody = z.infer<typeof updateUserBody>;

/** PUT /api/lightbook/admin/users/{id}/password: a new password, or null to remove it (single sign-on only). */
export const setPasswordBody = z.object({ password: password.nullable() });

export const membershipModel = z.object({
  userId: z.string().uuid(),
  username: z.string(),
  role: membershipRole,
});
export type MembershipModel = z.infer<typeof membershipModel>;

export const beamtimeModel = z.object({
  id: z.string().uuid(),
  start: z.string(),
  end: z.string(),
});
export type BeamtimeModel = z.infer<typeof beamtimeModel>;

export const proposalModel = z.object({
  id: z.string().uuid(),
  number: z.string(),
  title: z.string(),
  beamline: z.string(),
  /** Relative to the data root. */
  dataFolder: z.string(),
  /** Members' access to the data ends then; null: no embargo. */
  embargo: z.string().nullable(),
  created: z.string(),
  members: z.array(membershipModel),
  beamtimes: z.array(beamtimeModel),
});
export type ProposalModel = z.infer<typeof proposalModel>;
export const proposalList = z.array(proposalModel);

const proposalFields = {
  title: z.string().trim().max(300),
  beamline: z.string().trim().min(1, "a proposal needs a beamline").max(100),
  /** Checked against the data root by the server (analysis/data-root.ts). */
  dataFolder: z.string().trim().min(1, "a proposal needs a data folder").max(1024),
  embargo: isoDateTime.nullable(),
};

/** POST /api/lightbook/admin/proposals. The number is fixed once created: it names the notebook folder `proposals/<number>/`. */
export const createProposalBody = z.object({
  number: segment("a proposal number"),
  ...proposalFields,
  title: proposalFields.title.default(""),
  embargo: proposalFields.embargo.default(null),
});
export type CreateProposalBody = z.infer<typeof createProposalBody>;

/** PATCH /api/lightbook/admin/proposals/{id} */
export const updateProposalBody = z.object(proposalFields).partial().strict();
export type UpdateProposalBody = z.infer<typeof updateProposalBody>;

/** POST /api/lightbook/admin/proposals/{id}/members */
export const addMemberBody = z.object({ username: z.string().trim().min(1).max(64), role: membershipRole.default("member") });
/** PATCH /api/lightbook/admin/proposals/{id}/members/{userId} */
export const updateMemberBody = z.object({ role: membershipRole });

/** POST /api/lightbook/admin/proposals/{id}/beamtimes */
export const addBeamtimeBody = z
  .object({ start: isoDateTime, end: isoDateTime })
  .refine((b) => Date.parse(b.end) > Date.parse(b.start), { path: ["end"], message: "a beamtime must end after it starts" });

/** GET /api/lightbook/admin/tokens: every user's tokens, without their secrets. */
export const adminTokenModel = tokenModel.extend({ userId: z.string().uuid(), username: z.string() });
export type AdminTokenModel = z.infer<typeof adminTokenModel>;
export const adminTokenList = z.array(adminTokenModel);

/** One entry of GET /api/lightbook/me/proposals: what the switcher offers. */
export const myProposal = proposalModel.pick({ id: true, number: true, title: true, beamline: true }).extend({
  /** The caller's membership; null for an admin who is not a member. */
  role: membershipRole.nullable(),
  /** The proposal's notebook folder in the contents tree. */
  path: z.string(),
});
export type MyProposal = z.infer<typeof myProposal>;

/** GET /api/lightbook/me/proposals */
export const mySpaces = z.object({
  /** The caller's personal notebook folder, `users/<username>`. */
  personal: z.string(),
  proposals: z.array(myProposal),
});
export type MySpaces = z.infer<typeof mySpaces>;

/** Where notebooks live (decided in issue 13): a proposal's under `proposals/<number>`, a user's under `users/<username>`. */
export const PROPOSALS_ROOT = "proposals";
export const PERSONAL_ROOT = "users";
export function proposalFolder(number: string): string {
  return `${PROPOSALS_ROOT}/${number}`;
}
export function personalFolder(username: string): string {
  return `${PERSONAL_ROOT}/${username}`;
}
