import express, { Router, type RequestHandler, type Response } from "express";
import * as cookie from "cookie";
import { principal as principalSchema, type Principal } from "../../contracts/accounts.ts";
import { MIN_PASSWORD_LENGTH as MIN_PASSWORD } from "../../contracts/admin.ts";
import { HttpError, coerceError } from "../../runtime/errors.ts";
import { parseContract } from "../../contracts/parse.ts";
import { readRequestPath } from "../http/request-path.ts";
import { verifyPassword } from "../accounts/passwords.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { SESSION_COOKIE, XSRF_COOKIE, type Auth } from "./auth.ts";
import { accountPage, loginPage } from "./login-page.ts";
import type { LoginLimits } from "./login-limits.ts";
import { sameOriginPath } from "./next-path.ts";
import { OidcRefusal, type Oidc } from "./oidc.ts";
import { scopeRefusal } from "./scopes.ts";

/** What anyone may fetch: Next's hashed static assets, which hold no user data. */
const PUBLIC = [/^\/_next\/static\//, /^\/favicon\.ico$/, /^\/login$/];
const OIDC_COOKIE = "lightbook-oidc";

/**
 * Decided on the path as decoded once (`readRequestPath`, which refuses dot segments and encoded
 * separators), and only for a path in its plain form: repeated slashes are never public.
 */
function isPublic(originalUrl: string): boolean {
  const path = readRequestPath(originalUrl);
  return path.kind === "ok" && !path.path.includes("//") && PUBLIC.some((re) => re.test(path.path));
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/metrics";
}

function secure(req: express.Request): boolean {
  return req.secure || req.headers["x-forwarded-proto"] === "https";
}

function address(req: express.Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "";
}

/** The request's principal, set by requireAuth; routes behind it call this. */
export function principalOf(res: Response): Principal {
  return parseContract(principalSchema, res.locals.principal, "the request's principal");
}

/**
 * Every request needs a token or a login session. A browser that opens the printed URL
 * (`?token=…` with the server's token) gets a session as the admin and is redirected to the same
 * page without the token, so the token does not stay in its history. Pages without credentials
 * go to /login; APIs answer 401. The principal is left on `res.locals.principal`.
 */
/** A login, taken or refused, in the audit trail: by which way, from which address, and why not. */
function recordLogin(audit: AuditLog, req: express.Request, way: string, actor: string, refusal?: string): void {
  audit.record({
    actor: actor || "anonymous",
    action: "login",
    resource: `login/${way}`,
    result: refusal === undefined ? "ok" : "refused",
    detail: refusal === undefined ? { address: address(req) } : { address: address(req), reason: refusal },
  });
}

export function requireAuth(auth: Auth, audit: AuditLog): RequestHandler {
  return (req, res, next) => {
    if (isPublic(req.originalUrl)) return next();
    auth.authenticate(req).then(async (a) => {
      if (a.kind !== "ok") {
        if (isApi(req.path) || a.kind === "refused")
          return next(
            new HttpError(401, a.kind === "refused" ? a.message : "Authentication required: send a token (Authorization: token …) or log in", "Unauthorized"),
          );
        return res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl.replace(/([?&])token=[^&]*&?/, "$1").replace(/[?&]$/, ""))}`);
      }
      const p = a.principal;
      if (!auth.xsrfOk(req, p)) return next(new HttpError(403, "XSRF token missing or wrong: send the _xsrf cookie's value in X-XSRFToken", "Forbidden"));
      const scope = scopeRefusal(p, req.method, req.path);
      if (scope) return next(new HttpError(403, scope, "Forbidden"));
      res.locals.principal = p;
      if (req.method === "GET" && !isApi(req.path) && typeof req.query.token === "string") {
        if (p.credential === "server_token") {
          const admin = await auth.accounts.bootstrapAdmin();
          res.setHeader("Set-Cookie", await auth.logIn(admin, req, secure(req)));
          recordLogin(audit, req, "url", admin.username);
        }
        const url = new URL(req.originalUrl, "http://x");
        url.searchParams.delete("token");
        return res.redirect(302, url.pathname + url.search);
      }
      if (p.credential === "session" && !cookie.parse(req.headers.cookie ?? "")[XSRF_COOKIE]) res.setHeader("Set-Cookie", auth.xsrfCookie(secure(req)));
      next();
    }, next);
  };
}

export interface LoginDeps {
  auth: Auth;
  limits: LoginLimits;
  /** Verified for unknown users, so that they take as long as a wrong password (passwords.ts). */
  dummyHash: string;
  oidc: Oidc | undefined;
  audit: AuditLog;
}

/**
 * The login, logout and account pages, served before requireAuth: GET/POST /login (username and
 * password, or the server's token), /login/once (the first start's one-time link),
 * /login/oidc and its callback, POST /logout, GET /account and POST /account/password.
 */
export function loginRoutes(d: LoginDeps): Router {
  const { auth, limits } = d;
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  const sso = d.oidc !== undefined;
  const page = (res: Response, status: number, next: string, error?: string, username?: string) =>
    res.status(status).type("html").send(loginPage(next, { error, sso, username }));
  const audited = (req: express.Request, way: string, actor: string, refusal?: string) => recordLogin(d.audit, req, way, actor, refusal);

  r.get("/login", (req, res) => {
    page(res, 200, sameOriginPath(req.query.next));
  });

  r.post("/login", form, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const next = sameOriginPath(body.next);
    const token = typeof body.token === "string" && body.token !== "" ? body.token : undefined;
    const username = typeof body.username === "string" ? body.username.trim().slice(0, 200) : "";
    const password = typeof body.password === "string" ? body.password.slice(0, 1000) : "";
    // The server's token has no account name: its failures count against the address only.
    const account = token === undefined ? username : "";
    const wait = await limits.blockedFor(account, address(req));
    if (wait > 0) {
      audited(req, token === undefined ? "password" : "token", username, "rate limited");
      res.setHeader("Retry-After", String(wait));
      return page(res, 429, next, `Too many failed logins; try again in ${wait} seconds.`, username);
    }
    if (token !== undefined) {
      if (!auth.isServerToken(token)) {
        await limits.failed(account, address(req));
        audited(req, "token", "", "wrong token");
        return page(res, 401, next, "That token is not valid.");
      }
      const admin = await auth.accounts.bootstrapAdmin();
      res.setHeader("Set-Cookie", await auth.logIn(admin, req, secure(req)));
      audited(req, "token", admin.username);
      return res.redirect(303, next);
    }
    const found = username ? await auth.accounts.forLogin(username) : null;
    // Always one scrypt, against a dummy hash when there is no real one: unknown, password-less
    // and disabled accounts answer the same, in the same time, as a wrong password.
    const matches = await verifyPassword(password, found?.passwordHash ?? d.dummyHash);
    if (!found || found.passwordHash === null || found.user.disabled || !matches) {
      await limits.failed(account, address(req));
      audited(req, "password", username, found?.user.disabled ? "account disabled" : "wrong username or password");
      return page(res, 401, next, "Wrong username or password.", username);
    }
    await limits.succeeded(account);
    res.setHeader("Set-Cookie", await auth.logIn(found.user, req, secure(req)));
    audited(req, "password", found.user.username);
    res.redirect(303, next);
  });

  r.get("/login/once", async (req, res) => {
    const code = typeof req.query.code === "string" ? req.query.code : "";
    const user = code ? await auth.accounts.useLoginLink(code) : null;
    if (!user) {
      audited(req, "once", "", "link used or expired");
      return page(res, 401, "/", "That one-time login link was already used or has expired. Log in with a password or the server's token.");
    }
    res.setHeader("Set-Cookie", await auth.logIn(user, req, secure(req)));
    audited(req, "once", user.username);
    res.redirect(303, "/account");
  });

  r.get("/login/oidc", async (req, res) => {
    if (!d.oidc) return page(res, 404, "/", "Single sign-on is not configured on this server.");
    try {
      const { url, flowId } = await d.oidc.start(sameOriginPath(req.query.next));
      res.setHeader(
        "Set-Cookie",
        cookie.serialize(OIDC_COOKIE, flowId, { path: "/login/oidc", httpOnly: true, sameSite: "lax", secure: secure(req), maxAge: 600 }),
      );
      res.redirect(302, url);
    } catch (e: unknown) {
      page(res, 502, "/", coerceError(e).message);
    }
  });

  r.get("/login/oidc/callback", async (req, res) => {
    if (!d.oidc) return page(res, 404, "/", "Single sign-on is not configured on this server.");
    const flowId = cookie.parse(req.headers.cookie ?? "")[OIDC_COOKIE];
    const query = new URL(req.originalUrl, "http://x").search;
    try {
      const { identity, next } = await d.oidc.finish(flowId, query);
      const user = await auth.accounts.fromOidc(identity);
      if (user === "username_taken") {
        audited(req, "oidc", identity.username, "username taken by another account");
        return page(res, 403, "/", `Single sign-on refused: the username "${identity.username}" belongs to another account; ask an admin to link them.`);
      }
      if (user.disabled) {
        audited(req, "oidc", user.username, "account disabled");
        return page(res, 403, "/", "Single sign-on refused: this account is disabled.");
      }
      res.setHeader("Set-Cookie", [...(await auth.logIn(user, req, secure(req))), cookie.serialize(OIDC_COOKIE, "", { path: "/login/oidc", maxAge: 0 })]);
      audited(req, "oidc", user.username);
      res.redirect(303, next);
    } catch (e: unknown) {
      if (!(e instanceof OidcRefusal)) throw e;
      audited(req, "oidc", "", e.message);
      page(res, 401, "/", e.message);
    }
  });

  /** The session a form post or page belongs to (forms send `_xsrf` as a field, as in Jupyter). */
  const session = async (req: express.Request): Promise<Principal | null> => {
    const a = await auth.authenticate(req);
    return a.kind === "ok" && a.principal.credential === "session" ? a.principal : null;
  };
  const xsrfField = (req: express.Request) => (req.body as Record<string, unknown>)._xsrf;

  r.post("/logout", form, async (req, res) => {
    const p = await session(req);
    if (p && !auth.xsrfOk(req, p, xsrfField(req))) throw new HttpError(403, "XSRF token missing or wrong", "Forbidden");
    if (p?.sessionKey) {
      await auth.logOut(p.sessionKey);
      d.audit.record({ actor: p.username, action: "logout", resource: "logout", result: "ok", detail: { address: address(req) } });
    }
    res.setHeader("Set-Cookie", cookie.serialize(SESSION_COOKIE, "", { path: "/", maxAge: 0, httpOnly: true, sameSite: "lax", secure: secure(req) }));
    res.redirect(303, "/login");
  });

  const account = async (req: express.Request, res: Response, message?: { ok: boolean; text: string }) => {
    const p = await session(req);
    if (!p) return res.redirect(302, "/login?next=/account");
    const found = await auth.accounts.forLogin(p.username);
    const xsrf = cookie.parse(req.headers.cookie ?? "")[XSRF_COOKIE];
    const cookies = xsrf ? [] : [auth.xsrfCookie(secure(req))];
    if (cookies.length) res.setHeader("Set-Cookie", cookies);
    const value = xsrf ?? cookie.parse((cookies[0] ?? "").split(";")[0] ?? "")[XSRF_COOKIE] ?? "";
    res
      .status(message && !message.ok ? 400 : 200)
      .type("html")
      .send(accountPage({ username: p.username, xsrf: value, hasPassword: found?.passwordHash != null, message }));
  };
  r.get("/account", (req, res) => account(req, res));
  r.post("/account/password", form, async (req, res) => {
    const p = await session(req);
    if (!p) return res.redirect(302, "/login?next=/account");
    if (!auth.xsrfOk(req, p, xsrfField(req))) throw new HttpError(403, "XSRF token missing or wrong", "Forbidden");
    const password = (req.body as Record<string, unknown>).password;
    if (typeof password !== "string" || password.length < MIN_PASSWORD || password.length > 1000)
      return account(req, res, { ok: false, text: `A password needs ${MIN_PASSWORD} to 1000 characters.` });
    await auth.accounts.setPassword(p.userId, password);
    await account(req, res, { ok: true, text: "The password is saved." });
  });
  return r;
}
