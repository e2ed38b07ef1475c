import type { Db } from "../db/client.ts";
import type { OidcIdentity } from "../auth/oidc.ts";
import type { ApiToken, User } from "../db/generated/client.ts";
import { tokenScope, userRole, type CreateTokenBody, type TokenModel, type UserRole } from "../../contracts/accounts.ts";
import { z } from "../../contracts/zod.ts";
import { parseContract } from "../../contracts/parse.ts";
import { NotFoundDomainError } from "../../runtime/errors.ts";
import { hashPassword } from "./passwords.ts";
import { newSecret, secretHash } from "./secrets.ts";

const SESSION_DAYS = 30;
const LOGIN_LINK_HOURS = 24;
/** last_seen is written at most this often per session, not on every request. */
const TOUCH_MS = 60_000;
export const API_TOKEN_PREFIX = "lbt_";
/** How exactly a token's "last used" is kept. */
const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long a verified token is trusted without reading its row again: a kernel's cells send many
 * requests. Revoking, deleting, or an admin changing the account through this server forgets it at
 * once; through another server behind the same database, within this.
 */
const VERIFIED_TTL_MS = 5_000;

type Verified = { kind: "ok"; user: AccountUser; token: TokenModel };

export interface AccountUser {
  id: string;
  username: string;
  role: UserRole;
  hasPassword: boolean;
  disabled: boolean;
}

function asAccountUser(u: User): AccountUser {
  return {
    id: u.id,
    username: u.username,
    role: parseContract(userRole, u.role, `user ${u.id} role`),
    hasPassword: u.passwordHash !== null,
    disabled: u.disabled,
  };
}

/** Why a presented API token is refused; the message tells its owner what to do. */
export type TokenRefusal = { kind: "unknown" } | { kind: "expired"; expires: Date } | { kind: "revoked" } | { kind: "disabled" };

/** A token row as listed (contracts/accounts.ts tokenModel). */
export function tokenModelOf(t: ApiToken): TokenModel {
  return {
    id: t.id,
    name: t.name,
    scopes: parseContract(z.array(tokenScope), t.scopes, `token ${t.id} scopes`),
    proposalIds: t.proposalIds,
    created: t.created.toISOString(),
    expires: t.expires.toISOString(),
    revoked: t.revoked?.toISOString() ?? null,
    lastUsed: t.lastUsed?.toISOString() ?? null,
  };
}

/** Users, login sessions, personal API tokens and one-time login links (issue 13, items 1 and 7). */
export class Accounts {
  private readonly verified = new Map<string, { at: number; ok: Verified }>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * On an empty installation: the admin account and a one-time login code for it (printed as a
   * URL by the server), so the two-command start needs no setup. Null once any user exists.
   */
  async firstStart(): Promise<{ admin: AccountUser; code: string } | null> {
    return this.db.$transaction(async (tx) => {
      // Serialises two servers starting on one database (the state lock covers only one state dir).
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('lightbook first start'))`;
      if ((await tx.user.count()) > 0) return null;
      const admin = await tx.user.create({ data: { username: "admin", displayName: "Administrator", role: "admin" } });
      const code = newSecret();
      await tx.loginLink.create({
        data: { codeHash: secretHash(code), userId: admin.id, expires: new Date(this.now().getTime() + LOGIN_LINK_HOURS * 3600_000) },
      });
      return { admin: asAccountUser(admin), code };
    });
  }

  /** The oldest enabled admin: whom the server's printed token acts as. */
  async bootstrapAdmin(): Promise<AccountUser> {
    const u = await this.db.user.findFirst({ where: { role: "admin", disabled: false }, orderBy: { created: "asc" } });
    if (!u) throw new NotFoundDomainError("no enabled admin account: the server's token has no one to act as");
    return asAccountUser(u);
  }

  /** The user and their password hash, or null (unknown). */
  async forLogin(username: string): Promise<{ user: AccountUser; passwordHash: string | null } | null> {
    const u = await this.db.user.findUnique({ where: { username } });
    return u ? { user: asAccountUser(u), passwordHash: u.passwordHash } : null;
  }

  async createUser(p: { username: string; role: UserRole; password?: string; displayName?: string }): Promise<AccountUser> {
    const passwordHash = p.password === undefined ? null : await hashPassword(p.password);
    return asAccountUser(await this.db.user.create({ data: { username: p.username, role: p.role, passwordHash, displayName: p.displayName ?? "" } }));
  }

  async setPassword(userId: string, password: string): Promise<void> {
    await this.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password) } });
  }

  /**
   * The account behind an OpenID Connect subject: found by (issuer, subject), else created as a
   * `user` (or the role the provider's role claim names). An account an admin created for single
   * sign-on (no password, no subject yet) is linked by its username on its first SSO login. Any
   * other account with the username is refused rather than merged, so an SSO login can never take
   * over a local account.
   */
  async fromOidc(p: OidcIdentity): Promise<AccountUser | "username_taken"> {
    const found = await this.db.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: p.issuer, oidcSubject: p.subject } } });
    if (found) {
      if (p.role && p.role !== found.role) return asAccountUser(await this.db.user.update({ where: { id: found.id }, data: { role: p.role } }));
      return asAccountUser(found);
    }
    const named = await this.db.user.findUnique({ where: { username: p.username } });
    if (named) {
      if (named.passwordHash !== null || named.oidcSubject !== null) return "username_taken";
      // Conditional, so that a password set meanwhile still wins over the link.
      const [linked] = await this.db.user.updateManyAndReturn({
        where: { id: named.id, passwordHash: null, oidcSubject: null },
        data: { oidcIssuer: p.issuer, oidcSubject: p.subject, email: named.email ?? p.email, ...(p.role ? { role: p.role } : {}) },
      });
      return linked ? asAccountUser(linked) : "username_taken";
    }
    const created = await this.db.user.create({
      data: { username: p.username, email: p.email, displayName: p.displayName, role: p.role ?? "user", oidcIssuer: p.issuer, oidcSubject: p.subject },
    });
    return asAccountUser(created);
  }

  /** A new login session; the returned secret goes in the cookie, its hash in the table. */
  async createSession(userId: string, userAgent: string, address: string): Promise<{ secret: string; expires: Date }> {
    const secret = newSecret();
    const expires = new Date(this.now().getTime() + SESSION_DAYS * 86400_000);
    await this.db.loginSession.create({ data: { idHash: secretHash(secret), userId, expires, userAgent: userAgent.slice(0, 500), address } });
    return { secret, expires };
  }

  /** The session a cookie names, if it exists, has not expired and its user is enabled. */
  async session(secret: string): Promise<{ key: string; user: AccountUser } | null> {
    const key = secretHash(secret);
    const s = await this.db.loginSession.findUnique({ where: { idHash: key }, include: { user: true } });
    const now = this.now();
    if (!s || s.user.disabled) return null;
    if (s.expires <= now) {
      await this.db.loginSession.deleteMany({ where: { idHash: key } });
      return null;
    }
    if (now.getTime() - s.lastSeen.getTime() > TOUCH_MS) await this.db.loginSession.updateMany({ where: { idHash: key }, data: { lastSeen: now } });
    return { key, user: asAccountUser(s.user) };
  }

  async deleteSession(key: string): Promise<void> {
    await this.db.loginSession.deleteMany({ where: { idHash: key } });
  }

  /** Spends a one-time login code: its user, or null if unknown, used or expired. */
  async useLoginLink(code: string): Promise<AccountUser | null> {
    const spent = await this.db.loginLink.updateManyAndReturn({
      where: { codeHash: secretHash(code), used: null, expires: { gt: this.now() } },
      data: { used: this.now() },
      include: { user: true },
    });
    const link = spent[0];
    return link && !link.user.disabled ? asAccountUser(link.user) : null;
  }

  async createToken(userId: string, body: CreateTokenBody): Promise<TokenModel & { token: string }> {
    const token = newSecret(API_TOKEN_PREFIX);
    const row = await this.db.apiToken.create({
      data: {
        userId,
        name: body.name,
        hash: secretHash(token),
        scopes: body.scopes,
        proposalIds: body.proposalIds,
        expires: new Date(this.now().getTime() + body.expiresInDays * 86400_000),
      },
    });
    return { ...tokenModelOf(row), token };
  }

  async listTokens(userId: string): Promise<TokenModel[]> {
    return (await this.db.apiToken.findMany({ where: { userId }, orderBy: { created: "asc" } })).map(tokenModelOf);
  }

  /** Revokes one of the user's tokens; another user's token is "not found", never "forbidden". */
  async revokeToken(userId: string, id: string): Promise<void> {
    const r = await this.db.apiToken.updateMany({ where: { id, userId, revoked: null }, data: { revoked: this.now() } });
    // After the write: a verification in between would trust the token again.
    this.forgetTokens();
    if (r.count === 0 && !(await this.db.apiToken.findFirst({ where: { id, userId } }))) throw new NotFoundDomainError(`no token ${id}`);
  }

  /** Removes a token for good (a kernel's, with its kernel: server/kernels/tokens.ts). */
  async deleteToken(userId: string, id: string): Promise<void> {
    await this.db.apiToken.deleteMany({ where: { id, userId } });
    this.forgetTokens();
  }

  /** Verified tokens are read again: one was revoked, or an account changed (role, disabled). */
  forgetTokens(): void {
    this.verified.clear();
  }

  async verifyToken(token: string): Promise<Verified | TokenRefusal> {
    const hash = secretHash(token);
    const hit = this.verified.get(hash);
    if (hit && performance.now() - hit.at < VERIFIED_TTL_MS && new Date(hit.ok.token.expires) > this.now()) return hit.ok;
    const t = await this.db.apiToken.findUnique({ where: { hash }, include: { user: true } });
    if (!t) return { kind: "unknown" };
    if (t.revoked) return { kind: "revoked" };
    if (t.expires <= this.now()) return { kind: "expired", expires: t.expires };
    if (t.user.disabled) return { kind: "disabled" };
    // A write per request would double a token request's cost (kernels' cells send many): to the minute is enough.
    const now = this.now();
    if (!t.lastUsed || now.getTime() - t.lastUsed.getTime() >= LAST_USED_RESOLUTION_MS)
      await this.db.apiToken.update({ where: { id: t.id }, data: { lastUsed: now } });
    const ok: Verified = { kind: "ok", user: asAccountUser(t.user), token: tokenModelOf(t) };
    // Bounded: a flood of distinct valid tokens only costs their reads.
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(hash, { at: performance.now(), ok });
    return ok;
  }
}
