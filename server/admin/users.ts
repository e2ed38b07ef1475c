import type { Db } from "../db/client.ts";
import type { ApiToken, User } from "../db/generated/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { hashPassword } from "../accounts/passwords.ts";
import { userRole } from "../../contracts/accounts.ts";
import { tokenModelOf } from "../accounts/accounts.ts";
import { personalFolder, type AdminTokenModel, type AdminUser, type CreateUserBody, type UpdateUserBody } from "../../contracts/admin.ts";
import { parseContract } from "../../contracts/parse.ts";
import { DomainError, NotFoundDomainError } from "../../runtime/errors.ts";
import type { Folders } from "../proposals/proposals.ts";

function adminUserOf(u: User): AdminUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    role: parseContract(userRole, u.role, `user ${u.id} role`),
    beamlines: u.beamlines,
    hasPassword: u.passwordHash !== null,
    sso: u.oidcSubject !== null,
    disabled: u.disabled,
    created: u.created.toISOString(),
  };
}

function adminTokenOf(t: ApiToken & { user: Pick<User, "username"> }): AdminTokenModel {
  return { ...tokenModelOf(t), userId: t.userId, username: t.user.username };
}

/**
 * What admins do to accounts (issue 13, item 2): list and create users, change roles, disable and
 * enable, reset passwords, and see and revoke anyone's API tokens. Signing in stays in Accounts.
 */
export class AdminUsers {
  constructor(
    private readonly db: Db,
    private readonly folders: Folders,
    /** An account or token changed (role, beamlines, disabled, revoked): who is who and reaches what is read again. */
    private readonly changed: () => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<AdminUser[]> {
    return (await this.db.user.findMany({ orderBy: { username: "asc" } })).map(adminUserOf);
  }

  async get(id: string): Promise<AdminUser> {
    const u = await this.db.user.findUnique({ where: { id } });
    if (!u) throw new NotFoundDomainError(`no user ${id}`);
    return adminUserOf(u);
  }

  /** A local account (with a password) or one that logs in through single sign-on only, with its personal folder. */
  async create(body: CreateUserBody): Promise<AdminUser> {
    const passwordHash = body.password === undefined ? null : await hashPassword(body.password);
    let u: User;
    try {
      u = await this.db.user.create({
        data: { username: body.username, displayName: body.displayName, email: body.email, role: body.role, beamlines: body.beamlines, passwordHash },
      });
    } catch (e: unknown) {
      if (isUniqueViolation(e)) throw new DomainError("conflict", `username: ${body.username} is taken`);
      throw e;
    }
    await this.folders.ensureFolder(personalFolder(u.username));
    return adminUserOf(u);
  }

  /**
   * Role, enabled, name and email. Refused (409) when it would leave no enabled admin: the
   * server's token acts as the oldest one, and someone must be able to come back here. Disabling
   * ends the user's login sessions; their keys are returned so that their WebSockets close too.
   */
  async update(id: string, body: UpdateUserBody): Promise<{ user: AdminUser; endedSessions: string[] }> {
    const updated = await this.db.$transaction(async (tx) => {
      // One admin change at a time, so that two admins demoting each other cannot both succeed.
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('lightbook admin roles'))`;
      const before = await tx.user.findUnique({ where: { id } });
      if (!before) throw new NotFoundDomainError(`no user ${id}`);
      const after = await tx.user.update({ where: { id }, data: body });
      if (before.role === "admin" && !before.disabled && (after.role !== "admin" || after.disabled)) {
        if ((await tx.user.count({ where: { role: "admin", disabled: false } })) === 0)
          throw new DomainError("conflict", `${before.username} is the last enabled admin; make another user an admin first`);
      }
      let endedSessions: string[] = [];
      if (after.disabled && !before.disabled) {
        const sessions = await tx.loginSession.findMany({ where: { userId: id }, select: { idHash: true } });
        await tx.loginSession.deleteMany({ where: { userId: id } });
        endedSessions = sessions.map((s) => s.idHash);
      }
      return { user: adminUserOf(after), endedSessions };
    });
    this.changed();
    return updated;
  }

  /** A new password, or none (null): the account then logs in through single sign-on only. */
  async setPassword(id: string, password: string | null): Promise<void> {
    const passwordHash = password === null ? null : await hashPassword(password);
    const r = await this.db.user.updateMany({ where: { id }, data: { passwordHash } });
    if (r.count === 0) throw new NotFoundDomainError(`no user ${id}`);
  }

  async listTokens(): Promise<AdminTokenModel[]> {
    return (await this.db.apiToken.findMany({ include: { user: { select: { username: true } } }, orderBy: { created: "asc" } })).map(adminTokenOf);
  }

  /** Revokes anyone's token; revoking a revoked one changes nothing. */
  async revokeToken(id: string): Promise<void> {
    const r = await this.db.apiToken.updateMany({ where: { id, revoked: null }, data: { revoked: this.now() } });
    this.changed();
    if (r.count === 0 && !(await this.db.apiToken.findUnique({ where: { id }, select: { id: true } }))) throw new NotFoundDomainError(`no token ${id}`);
  }
}
