import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export const CLIENT_ID = "lightbook";
export const CLIENT_SECRET = "lightbook-test-secret";

/** Where a server on `port` takes the provider's answer. */
export const callbackUrl = (port: number) => `http://127.0.0.1:${port}/login/oidc/callback`;

/** The settings of a server on `port` that logs in through the provider at `issuer` (plain HTTP on loopback). */
export function oidcServerEnv(port: number, issuer: string): Record<string, string> {
  return {
    LIGHTBOOK_PORT: String(port),
    LIGHTBOOK_OIDC_ISSUER: issuer,
    LIGHTBOOK_OIDC_CLIENT_ID: CLIENT_ID,
    LIGHTBOOK_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    LIGHTBOOK_OIDC_REDIRECT_URL: callbackUrl(port),
    LIGHTBOOK_OIDC_ALLOW_HTTP: "1",
  };
}

function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/**
 * A real OpenID provider (the `oidc-provider` package) in this process: one client, any login
 * accepted by its development login form, the username claim equal to the login.
 */
export async function startOidcProvider(redirectUrl: string): Promise<{ issuer: string; close(): Promise<void> }> {
  const server = createServer();
  const issuer = await listen(server);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUrl],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, preferred_username: sub, email: `${sub}@example.org`, name: `User ${sub}` }) }),
    claims: { openid: ["sub"], profile: ["preferred_username", "name"], email: ["email"] },
    // Put the profile claims in the ID token itself, which is what Lightbook reads.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["oidc-test-cookie-key"] },
  });
  server.on("request", provider.callback());
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export type HostileMode = "honest" | "wrong_issuer" | "wrong_audience" | "unsigned";

/**
 * A provider that answers the authorization code flow with an ID token broken in one way: for
 * the attacks a real provider never produces (another issuer, another audience, no signature).
 * "honest" answers correctly; like any provider it refuses a code used before (invalid_grant).
 */
export async function startHostileProvider(): Promise<{ issuer: string; mode: { value: HostileMode }; close(): Promise<void> }> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const mode = { value: "wrong_issuer" as HostileMode };
  const nonces = new Map<string, string>();
  const used = new Set<string>();
  const server = createServer();
  const issuer = await listen(server);
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (body: unknown) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    if (url.pathname === "/.well-known/openid-configuration")
      return json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    if (url.pathname === "/jwks") return json({ keys: [jwk] });
    if (url.pathname === "/authorize") {
      const code = `code-${nonces.size}`;
      nonces.set(code, url.searchParams.get("nonce") ?? "");
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      return res.writeHead(302, { Location: back.href }).end();
    }
    if (url.pathname === "/token") {
      let body = "";
      req.setEncoding("utf8").on("data", (d: string) => (body += d));
      req.on("end", () => {
        void (async () => {
          const code = new URLSearchParams(body).get("code") ?? "";
          if (used.has(code))
            return res
              .writeHead(400, { "Content-Type": "application/json" })
              .end(JSON.stringify({ error: "invalid_grant", error_description: "grant request is invalid" }));
          used.add(code);
          const now = Math.floor(Date.now() / 1000);
          const claims = {
            iss: mode.value === "wrong_issuer" ? "http://127.0.0.1:1/elsewhere" : issuer,
            aud: mode.value === "wrong_audience" ? "another-client" : CLIENT_ID,
            sub: "mallory",
            preferred_username: "mallory",
            nonce: nonces.get(code),
            iat: now,
            exp: now + 300,
          };
          const idToken =
            mode.value === "unsigned"
              ? `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`
              : await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(privateKey);
          json({ access_token: "at", token_type: "Bearer", expires_in: 300, id_token: idToken });
        })();
      });
      return;
    }
    res.writeHead(404).end();
  });
  return { issuer, mode, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
