import * as client from "openid-client";
import { userRole, type UserRole } from "../../contracts/accounts.ts";
import { coerceError } from "../../runtime/errors.ts";
import { newSecret } from "../accounts/secrets.ts";

/** Single sign-on settings, all from the environment (server/config.ts). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** This server's callback, `…/login/oidc/callback`, exactly as registered at the provider. */
  redirectUrl: string;
  /** The ID token claim that becomes the username (default `preferred_username`). */
  usernameClaim: string;
  /** An optional claim naming the role (admin, instrument_scientist or user); absent: `user`. */
  roleClaim: string | undefined;
  scopes: string;
  /** Allow an http:// issuer (development and tests only). */
  allowHttp: boolean;
}

/** What one login started: checked when the provider sends the browser back. */
interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  expires: number;
}

const FLOW_MS = 10 * 60_000;
const MAX_FLOWS = 10_000;

export interface OidcIdentity {
  issuer: string;
  subject: string;
  username: string;
  email: string | null;
  displayName: string;
  role: UserRole | null;
}

/** A refusal the login page shows as it is. */
export class OidcRefusal extends Error {}

/**
 * Turns openid-client's (oauth4webapi's) checks into messages a user or admin can act on. Each
 * case is one of the attacks, tested in test/integration/oidc.test.ts.
 */
function refusal(e: unknown): OidcRefusal {
  const err = coerceError(e);
  const m = err.message;
  const cases: [RegExp, string][] = [
    [/"state"/, "the response's state does not match this browser's login (a forged or crossed response)"],
    [/invalid_grant|grant request is invalid/i, "the provider refused the authorization code (already used, or expired)"],
    [/"iss"|issuer/i, "the ID token was issued by another provider than the configured issuer"],
    [/"aud"|audience|azp/i, "the ID token was issued for another client (wrong audience)"],
    [/"alg"|signature|JWS|unsecured/i, "the ID token is not signed with the provider's key"],
    [/nonce/i, "the ID token's nonce does not match this login"],
  ];
  // A provider's error answer (ResponseBodyError) carries its OAuth `error` code apart from the message.
  const code = typeof e === "object" && e !== null && "error" in e && typeof e.error === "string" ? e.error : "";
  const text = [m, code, err.cause instanceof Error ? err.cause.message : ""].join(" ");
  const found = cases.find(([re]) => re.test(text));
  return new OidcRefusal(`Single sign-on refused: ${found ? found[1] : m}`, { cause: e });
}

/** OpenID Connect authorization code flow with PKCE, through `openid-client` (issue 13, item 1). */
export class Oidc {
  private configuration: Promise<client.Configuration> | undefined;
  private readonly flows = new Map<string, Flow>();

  constructor(readonly config: OidcConfig) {}

  /** Discovery, once; retried on the next login if the provider was down. */
  private discovered(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        this.config.clientSecret === undefined ? { token_endpoint_auth_method: "none" } : undefined,
        this.config.clientSecret === undefined ? client.None() : client.ClientSecretPost(this.config.clientSecret),
        this.config.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw new OidcRefusal(`Single sign-on is unavailable: the provider ${this.config.issuer} could not be reached (${coerceError(e).message})`);
      });
    return this.configuration;
  }

  /** The provider's authorization URL, and the flow id for this browser's cookie. */
  async start(next: string): Promise<{ url: string; flowId: string }> {
    const config = await this.discovered();
    const now = Date.now();
    for (const [id, f] of this.flows) if (f.expires <= now || this.flows.size > MAX_FLOWS) this.flows.delete(id);
    const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next, expires: now + FLOW_MS };
    const flowId = newSecret();
    this.flows.set(flowId, flow);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.config.redirectUrl,
      scope: this.config.scopes,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: "S256",
    });
    return { url: url.href, flowId };
  }

  /** Checks the provider's answer against the flow this browser started; each flow is used once. */
  async finish(flowId: string | undefined, query: string): Promise<{ identity: OidcIdentity; next: string }> {
    const flow = flowId === undefined ? undefined : this.flows.get(flowId);
    if (flowId !== undefined) this.flows.delete(flowId);
    if (!flow || flow.expires <= Date.now())
      throw new OidcRefusal("Single sign-on refused: this sign-in response was already used, has expired, or belongs to another browser; log in again");
    const config = await this.discovered();
    const current = new URL(this.config.redirectUrl);
    current.search = query;
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (e: unknown) {
      throw refusal(e);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcRefusal("Single sign-on refused: the provider sent no ID token");
    const username = claims[this.config.usernameClaim];
    if (typeof username !== "string" || !/^[\w.@-]{1,100}$/.test(username))
      throw new OidcRefusal(`Single sign-on refused: the ID token's "${this.config.usernameClaim}" claim is missing or not a username`);
    let role: UserRole | null = null;
    if (this.config.roleClaim !== undefined) {
      const parsed = userRole.safeParse(claims[this.config.roleClaim]);
      role = parsed.success ? parsed.data : "user";
    }
    return {
      identity: {
        issuer: claims.iss,
        subject: claims.sub,
        username,
        email: typeof claims.email === "string" ? claims.email : null,
        displayName: typeof claims.name === "string" ? claims.name : username,
        role,
      },
      next: flow.next,
    };
  }
}
