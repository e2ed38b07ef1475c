import { createHash, randomBytes } from "node:crypto";

/** A random secret for a cookie, token or link: 32 bytes, URL-safe. */
export function newSecret(prefix = ""): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/**
 * What the database keeps of a secret. SHA-256 suffices: the secrets are 256 random bits, not
 * passwords, so a slow hash would add nothing but latency to every request.
 */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
