import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as cookie from "cookie";

export const SESSION_COOKIE = "lightbook-session";
export const XSRF_COOKIE = "_xsrf";
const SESSION_DAYS = 30;

/** How a request proved who it is. A token may be sent by scripts; a cookie only by browsers. */
export type Credential = { kind: "token" } | { kind: "cookie" };

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Token and session-cookie authentication, as Jupyter Server does it: the printed token
 * (header `Authorization: token …`, or `?token=` once to log a browser in), then a signed,
 * HttpOnly session cookie; cookie-authenticated writes must echo the `_xsrf` cookie in
 * `X-XSRFToken`.
 */
export class Auth {
  constructor(
    private readonly token: string,
    private readonly allowOrigins: readonly string[],
  ) {}

  /** Cookie sessions are signed with a key derived from the token, so they end when it changes. */
  private sign(value: string): string {
    return createHmac("sha256", `lightbook-session:${this.token}`).update(value).digest("base64url");
  }

  checkToken(candidate: string | undefined): boolean {
    return candidate !== undefined && safeEqual(candidate, this.token);
  }

  /** The token from the Authorization header or the `token` query parameter. */
  presentedToken(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    const match = header ? /^(?:token|bearer)\s+(\S+)$/i.exec(header) : null;
    if (match) return match[1];
    const query = new URL(req.url ?? "/", "http://x").searchParams.get("token");
    return query ?? undefined;
  }

  authenticate(req: IncomingMessage): Credential | null {
    if (this.checkToken(this.presentedToken(req))) return { kind: "token" };
    const session = cookie.parse(req.headers.cookie ?? "")[SESSION_COOKIE];
    if (session && this.validSession(session)) return { kind: "cookie" };
    return null;
  }

  /** Set-Cookie values that log a browser in: the session and a fresh XSRF token. */
  loginCookies(secure: boolean): string[] {
    const expires = Date.now() + SESSION_DAYS * 86400_000;
    const value = `${expires}.${this.sign(String(expires))}`;
    const common = { path: "/", sameSite: "lax" as const, secure, expires: new Date(expires) };
    return [
      cookie.serialize(SESSION_COOKIE, value, { ...common, httpOnly: true }),
      cookie.serialize(XSRF_COOKIE, randomBytes(18).toString("base64url"), common),
    ];
  }

  private validSession(value: string): boolean {
    const [expires, signature] = value.split(".");
    if (!expires || !signature || !/^\d+$/.test(expires)) return false;
    return Number(expires) > Date.now() && safeEqual(signature, this.sign(expires));
  }

  /** Cookie-authenticated writes must carry the XSRF token (a cross-site form cannot read it). */
  xsrfOk(req: IncomingMessage, credential: Credential): boolean {
    if (credential.kind === "token" || !UNSAFE_METHODS.has(req.method ?? "GET")) return true;
    const expected = cookie.parse(req.headers.cookie ?? "")[XSRF_COOKIE];
    const sent = req.headers["x-xsrftoken"];
    return typeof expected === "string" && typeof sent === "string" && safeEqual(sent, expected);
  }

  /**
   * Browsers always send Origin on WebSockets; a page from another site must not reach a
   * kernel with the user's cookie. Clients without Origin (scripts) must present the token.
   */
  originOk(req: IncomingMessage, credential: Credential): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return credential.kind === "token";
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
