import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as cookie from "cookie";
import type { Principal } from "../../contracts/accounts.ts";
import { API_TOKEN_PREFIX, type Accounts, type AccountUser } from "../accounts/accounts.ts";
import { SessionSockets } from "./session-sockets.ts";

export const SESSION_COOKIE = "lightbook-session";
export const XSRF_COOKIE = "_xsrf";

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who sent a request, or why its credential is refused (a clear message, never which part was wrong for a password). */
export type Authentication = { kind: "ok"; principal: Principal } | { kind: "none" } | { kind: "refused"; message: string };

function userPrincipal(user: AccountUser, credential: Principal["credential"], extra: Partial<Principal> = {}): Principal {
  return { userId: user.id, username: user.username, role: user.role, credential, sessionKey: null, scopes: null, proposalIds: null, ...extra };
}

/**
 * Authentication, as Jupyter Server does it: a token (`Authorization: token …`, or `?token=`)
 * or a login session cookie; cookie-authenticated writes must echo the `_xsrf` cookie in
 * `X-XSRFToken`. Tokens are the server's printed token (the bootstrap admin's, for scripts and
 * the printed URL) or personal API tokens (`lbt_…`, scoped, expiring). Session cookies hold a
 * random id looked up by its hash, so no signing secret exists to rotate: changing the server's
 * token logs nobody out.
 */
export class Auth {
  readonly sockets = new SessionSockets();

  constructor(
    readonly accounts: Accounts,
    private readonly serverToken: string,
    private readonly serverTokenUser: AccountUser,
    private readonly allowOrigins: readonly string[],
  ) {}

  isServerToken(candidate: string | undefined): boolean {
    return candidate !== undefined && safeEqual(candidate, this.serverToken);
  }

  /** The token from the Authorization header or the `token` query parameter. */
  presentedToken(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    const match = header ? /^(?:token|bearer)\s+(\S+)$/i.exec(header) : null;
    if (match) return match[1];
    const query = new URL(req.url ?? "/", "http://x").searchParams.get("token");
    return query ?? undefined;
  }

  async authenticate(req: IncomingMessage): Promise<Authentication> {
    const token = this.presentedToken(req);
    if (token !== undefined) return this.authenticateToken(token);
    const secret = cookie.parse(req.headers.cookie ?? "")[SESSION_COOKIE];
    if (!secret) return { kind: "none" };
    const session = await this.accounts.session(secret);
    return session ? { kind: "ok", principal: userPrincipal(session.user, "session", { sessionKey: session.key }) } : { kind: "none" };
  }

  private async authenticateToken(token: string): Promise<Authentication> {
    if (this.isServerToken(token)) return { kind: "ok", principal: userPrincipal(this.serverTokenUser, "server_token") };
    if (!token.startsWith(API_TOKEN_PREFIX)) return { kind: "refused", message: "Authentication required: that token is not valid" };
    const r = await this.accounts.verifyToken(token);
    switch (r.kind) {
      case "unknown":
        return { kind: "refused", message: "Authentication required: that API token is not valid" };
      case "revoked":
        return { kind: "refused", message: "Authentication required: that API token was revoked" };
      case "expired":
        return { kind: "refused", message: `Authentication required: that API token expired at ${r.expires.toISOString()}; create a new one` };
      case "disabled":
        return { kind: "refused", message: "Authentication required: that API token's account is disabled" };
      default:
        return { kind: "ok", principal: userPrincipal(r.user, "api_token", { scopes: r.token.scopes, proposalIds: r.token.proposalIds }) };
    }
  }

  /** A new login session for `user`, and the Set-Cookie values that carry it and a fresh XSRF token. */
  async logIn(user: AccountUser, req: IncomingMessage & { ip?: string | undefined }, secure: boolean): Promise<string[]> {
    const { secret, expires } = await this.accounts.createSession(user.id, req.headers["user-agent"] ?? "", req.ip ?? req.socket.remoteAddress ?? "");
    // Lax, not Strict: a link to a notebook from mail or chat, and the return from the OpenID
    // provider, are cross-site navigations that must arrive logged in. Writes need the XSRF token anyway.
    const common = { path: "/", sameSite: "lax" as const, secure, expires };
    return [cookie.serialize(SESSION_COOKIE, secret, { ...common, httpOnly: true }), this.xsrfCookie(secure)];
  }

  xsrfCookie(secure: boolean): string {
    return cookie.serialize(XSRF_COOKIE, randomBytes(18).toString("base64url"), { path: "/", sameSite: "strict", secure });
  }

  /** Ends the session: its row, and every WebSocket opened with it. */
  async logOut(sessionKey: string): Promise<void> {
    await this.accounts.deleteSession(sessionKey);
    this.sockets.end(sessionKey);
  }

  /** Cookie-authenticated writes must carry the XSRF token (a cross-site form cannot read it). */
  xsrfOk(req: IncomingMessage, principal: Principal, formValue?: unknown): boolean {
    if (principal.credential !== "session" || !UNSAFE_METHODS.has(req.method ?? "GET")) return true;
    const expected = cookie.parse(req.headers.cookie ?? "")[XSRF_COOKIE];
    const sent = req.headers["x-xsrftoken"] ?? formValue;
    return typeof expected === "string" && typeof sent === "string" && safeEqual(sent, expected);
  }

  /**
   * Browsers always send Origin on WebSockets; a page from another site must not reach a
   * kernel with the user's cookie. Clients without Origin (scripts) must present a token.
   */
  originOk(req: IncomingMessage, principal: Principal): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return principal.credential !== "session";
    const host = req.headers.host;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    return parsed.host === host || this.allowOrigins.includes(origin);
  }
}
