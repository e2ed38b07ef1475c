import type { Principal, TokenScope } from "../../contracts/accounts.ts";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The scope a request needs from a personal API token, from its method and path. Coarse on
 * purpose: the authorizer of issue 13, item 3 adds the resource and its proposal.
 */
export function requiredScope(method: string, path: string): TokenScope {
  if (/^\/api\/lightbook(\/admin)?\/tokens(\/|$)/.test(path)) return "tokens";
  if (/^\/api\/kernels\/[^/]+\/channels$/.test(path)) return "execute";
  if (READ_METHODS.has(method)) return "read";
  if (path.startsWith("/api/kernels") || path.startsWith("/api/sessions")) return "execute";
  if (path.startsWith("/api/lightbook/runs")) return "runs";
  return "write";
}

/** Null when allowed, else the message that refuses it. */
export function scopeRefusal(p: Principal, method: string, path: string): string | null {
  if (p.scopes === null) return null;
  const needed = requiredScope(method, path);
  return p.scopes.includes(needed) ? null : `This API token's scopes (${p.scopes.join(", ")}) do not include "${needed}", which ${method} ${path} needs`;
}
