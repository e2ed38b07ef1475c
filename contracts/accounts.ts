import { z } from "./zod.ts";

/** Issue 13: who may do what. `instrument_scientist` is staff of one or more beamlines. */
export const USER_ROLES = ["admin", "instrument_scientist", "user"] as const;
export const userRole = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof userRole>;

/**
 * What a personal API token may do. Checked per request by the method and path
 * (server/auth/scopes.ts) until the authorizer of item 3 takes proposals into account too.
 */
export const TOKEN_SCOPES = ["read", "write", "execute", "runs", "tokens"] as const;
export const tokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof tokenScope>;

/** How a request proved who it is. */
export const CREDENTIAL_KINDS = ["session", "api_token", "server_token"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * The authenticated caller, on every request (`res.locals.principal`) and WebSocket. Later code
 * (authorizer, audit, revision authors) reads it instead of the raw credential.
 */
export const principal = z.object({
  userId: z.string(),
  username: z.string(),
  role: userRole,
  credential: z.enum(CREDENTIAL_KINDS),
  /** The hashed login session id (credential "session"), which keys its WebSockets. */
  sessionKey: z.string().nullable(),
  /** The API token's scopes, or null: a session or the server's token may do all its user may. */
  scopes: z.array(tokenScope).nullable(),
  /** The API token's proposals (empty: all its user's), or null for other credentials. */
  proposalIds: z.array(z.string()).nullable(),
});
export type Principal = z.infer<typeof principal>;

/** POST /api/lightbook/tokens */
export const createTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(tokenScope).min(1),
  proposalIds: z.array(z.string().uuid()).max(100).default([]),
  /** Days until it expires; tokens always expire. */
  expiresInDays: z.number().int().min(1).max(366).default(30),
});
export type CreateTokenBody = z.infer<typeof createTokenBody>;

/** A token as listed: never its secret. */
export const tokenModel = z.object({
  id: z.string().uuid(),
  name: z.string(),
  scopes: z.array(tokenScope),
  proposalIds: z.array(z.string()),
  created: z.string(),
  expires: z.string(),
  revoked: z.string().nullable(),
  lastUsed: z.string().nullable(),
});
export type TokenModel = z.infer<typeof tokenModel>;

/** The answer to creating a token: the only time its secret is shown. */
export const createdToken = tokenModel.extend({ token: z.string() });
export type CreatedToken = z.infer<typeof createdToken>;

export const tokenList = z.array(tokenModel);
