/**
 * Whom a run's shipped code and programs run as on an agent that is root (issue 13, item 5): a
 * Unix user (and a group of the same number) of its proposal's own, or for a personal run of its
 * submitter's. Children of different proposals then cannot read each other's scratch folders,
 * memory or /proc entries. The numbers come from the database (proposal.run_uid, user.run_uid), so
 * every agent gives one proposal the same user and files left on shared storage have one owner. No
 * account is made: setpriv takes numbers, and a facility with thousands of proposals a year would
 * exhaust the system account range. A run with neither (from before runs had owners) runs as
 * LIGHTBOOK_SANDBOX_USER; an agent that is not root runs everything as its own user.
 */
import type { UnixIds } from "./launch.ts";

/** The numbers of a run's proposal and submitter. */
export interface RunIdentity {
  proposal: number | null;
  owner: number | null;
}

/** Proposals take the even numbers above `base`, users the odd ones. */
export function runIds(id: RunIdentity, base: number): UnixIds | undefined {
  const uid = id.proposal !== null ? base + 2 * id.proposal : id.owner !== null ? base + 2 * id.owner + 1 : undefined;
  return uid === undefined ? undefined : { uid, gid: uid };
}
