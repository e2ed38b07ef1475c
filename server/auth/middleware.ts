import express, { Router, type RequestHandler } from "express";
import * as cookie from "cookie";
import { HttpError } from "../errors.ts";
import { XSRF_COOKIE, type Auth } from "./auth.ts";
import { loginPage } from "./login-page.ts";

/** What anyone may fetch: Next's hashed static assets, which hold no user data. */
const PUBLIC = [/^\/_next\/static\//, /^\/favicon\.ico$/, /^\/login$/];

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/metrics";
}

function secure(req: express.Request): boolean {
  return req.secure || req.headers["x-forwarded-proto"] === "https";
}

/**
 * Every request needs the token or a session cookie. A browser that opens the printed URL
 * (`?token=…`) gets the cookies and is redirected to the same page without the token, so the
 * token does not stay in its history. Pages without credentials go to /login; APIs answer 401.
 */
export function requireAuth(auth: Auth): RequestHandler {
  return (req, res, next) => {
    if (PUBLIC.some((re) => re.test(req.path))) return next();
    const credential = auth.authenticate(req);
    if (!credential) {
      if (isApi(req.path)) return next(new HttpError(401, "Authentication required: send the token (Authorization: token …) or log in", "Unauthorized"));
      return res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl.replace(/([?&])token=[^&]*&?/, "$1").replace(/[?&]$/, ""))}`);
    }
    if (!auth.xsrfOk(req, credential)) return next(new HttpError(403, "XSRF token missing or wrong: send the _xsrf cookie's value in X-XSRFToken", "Forbidden"));
    if (req.method === "GET" && !isApi(req.path) && typeof req.query.token === "string") {
      res.setHeader("Set-Cookie", auth.loginCookies(secure(req)));
      const url = new URL(req.originalUrl, "http://x");
      url.searchParams.delete("token");
      return res.redirect(302, url.pathname + url.search);
    }
    if (credential.kind === "cookie" && !cookie.parse(req.headers.cookie ?? "")[XSRF_COOKIE]) {
      res.setHeader("Set-Cookie", auth.loginCookies(secure(req)));
    }
    next();
  };
}

/** GET /login shows a token form; POST /login checks it and sets the session cookies. */
export function loginRoutes(auth: Auth): Router {
  const r = Router();
  const safeNext = (value: unknown) => (typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : "/");
  r.get("/login", (req, res) => {
    res.type("html").send(loginPage(safeNext(req.query.next), false));
  });
  r.post("/login", express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
    const body = req.body as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!auth.checkToken(typeof body.token === "string" ? body.token : undefined)) {
      res.status(401).type("html").send(loginPage(next, true));
      return;
    }
    res.setHeader("Set-Cookie", auth.loginCookies(secure(req)));
    res.redirect(303, next);
  });
  return r;
}
