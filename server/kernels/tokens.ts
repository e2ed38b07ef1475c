import type { Accounts } from "../accounts/accounts.ts";
import type { KernelTokens } from "./manager.ts";

/** What a cell may do with its kernel's token: read what its user reaches, and submit runs (workflow.map). */
const KERNEL_SCOPES = ["read", "runs"] as const;
/** Tokens always expire; a kernel's lasts as long as the longest personal token, and goes with its kernel. */
const KERNEL_TOKEN_DAYS = 366;

/** Kernel tokens are the owner's personal API tokens, deleted (not kept revoked) with their kernel. */
export function kernelTokens(accounts: Accounts): KernelTokens {
  return {
    async issue(userId, kernelId, proposalIds) {
      const t = await accounts.createToken(userId, {
        name: `kernel ${kernelId}`,
        scopes: [...KERNEL_SCOPES],
        proposalIds,
        expiresInDays: KERNEL_TOKEN_DAYS,
      });
      return { id: t.id, token: t.token };
    },
    revoke: (userId, tokenId) => accounts.deleteToken(userId, tokenId),
  };
}
