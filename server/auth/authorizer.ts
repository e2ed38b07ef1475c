import type { Response } from "express";
import type { Principal } from "../../contracts/accounts.ts";
import { PERSONAL_ROOT, PROPOSALS_ROOT, personalFolder, proposalFolder } from "../../contracts/admin.ts";
import { HttpError, NotFoundDomainError } from "../../runtime/errors.ts";
import { inFolders } from "../../analysis/data-root.ts";
import type { Db } from "../db/client.ts";
import { principalOf } from "./middleware.ts";

/** What a request does to a resource. */
export type Action = "read" | "write";

/**
 * What a request reaches (issue 13, item 3). Notebooks and data by path; kernels and runs by
 * their owner and proposal; `service` is the admin's (users, proposals, audit, metrics);
 * `facility` is what every signed-in user may read (kernelspecs, agents, algorithms, programs).
 */
export type Resource =
  | { kind: "notebook"; path: string }
  | { kind: "data"; path: string }
  | { kind: "kernel"; ownerId: string | null; proposalId: string | null }
  | { kind: "run"; ownerId: string | null; proposalId: string | null }
  | { kind: "proposal"; id: string }
  | { kind: "service" }
  | { kind: "facility" };

/** A proposal as the authorizer needs it. */
export interface ProposalAccess {
  id: string;
  number: string;
  dataFolder: string;
  embargo: Date | null;
  beamline: string;
}

/** A principal with the proposals it reaches: its user's memberships, narrowed to an API token's proposals. */
export interface Access {
  principal: Principal;
  proposals: ProposalAccess[];
}

/** Ancestors of a reachable folder are listed (filtered) so that users can walk down to it. */
function isAncestor(path: string, folder: string): boolean {
  return path === "" || (folder.length > path.length && folder.startsWith(path) && folder[path.length] === "/");
}

const foldersOf = new WeakMap<Access, string[]>();

/** Made once per request's access: a listing asks for every entry. */
function notebookFolders(a: Access): string[] {
  let folders = foldersOf.get(a);
  if (!folders) {
    const p = a.principal;
    const personal = p.proposalIds !== null && p.proposalIds.length > 0 ? [] : [personalFolder(p.username)];
    folders = [...personal, ...a.proposals.map((x) => proposalFolder(x.number))];
    foldersOf.set(a, folders);
  }
  return folders;
}

function dataFolders(a: Access, now: Date): string[] {
  return a.proposals.filter((x) => x.embargo === null || x.embargo > now).map((x) => x.dataFolder);
}

/**
 * The one authorizer, as Jupyter Server's `Authorizer.is_authorized`: may this principal do this
 * to this resource? Admins may do everything; everyone else reaches their own kernels, their
 * personal folder, their proposals' notebooks and runs, and their proposals' data until its
 * embargo (an instrument scientist's proposals include every one on their beamlines). Ancestor
 * folders of what they reach may be read, and are listed filtered (`visible`).
 */
export function can(a: Access, action: Action, r: Resource, now = new Date()): boolean {
  if (a.principal.role === "admin") return true;
  switch (r.kind) {
    case "notebook": {
      const folders = notebookFolders(a);
      if (inFolders(r.path, folders)) return true;
      return action === "read" && (r.path === PERSONAL_ROOT || r.path === PROPOSALS_ROOT || r.path === "");
    }
    case "data": {
      // The root is listed (filtered, empty for a user without proposals) like the contents root.
      if (action === "read" && r.path === "") return true;
      const folders = dataFolders(a, now);
      return inFolders(r.path, folders) || (action === "read" && folders.some((f) => isAncestor(r.path, f)));
    }
    case "kernel": {
      // A token narrowed to proposals reaches its user's kernels of those proposals only (a kernel's own token among them).
      const only = a.principal.proposalIds;
      const inScope = only === null || only.length === 0 || (r.proposalId !== null && only.includes(r.proposalId));
      return r.ownerId !== null && r.ownerId === a.principal.userId && inScope;
    }
    case "run":
      return (r.ownerId !== null && r.ownerId === a.principal.userId) || (r.proposalId !== null && a.proposals.some((x) => x.id === r.proposalId));
    case "proposal":
      return a.proposals.some((x) => x.id === r.id);
    case "service":
      return false;
    case "facility":
      return action === "read";
  }
}

/** Where a run's tasks go and what they read (issue 13, item 5), fixed when it is submitted. */
export interface RunScope {
  /** Its proposal's beamline: agents restricted to other beamlines never take its jobs. */
  beamline: string | null;
  /** The data folders its tasks may read; "" is the whole data root. */
  dataFolders: string[];
}

/**
 * A new run's scope: a proposal's run reads that proposal's data folder only (nothing once its
 * embargo has passed, except for admins) and carries its beamline; a personal run reads what its
 * submitter may read now (an admin: everything).
 */
export function runScope(a: Access, proposal: Pick<ProposalAccess, "dataFolder" | "embargo" | "beamline"> | null, now = new Date()): RunScope {
  const admin = a.principal.role === "admin";
  if (!proposal) return { beamline: null, dataFolders: admin ? [""] : dataFolders(a, now) };
  const open = admin || proposal.embargo === null || proposal.embargo > now;
  return { beamline: proposal.beamline, dataFolders: open ? [proposal.dataFolder] : [] };
}

/** Whether a listed entry shows: one the principal reaches, or a folder on the way to one. */
export function visible(a: Access, r: { kind: "notebook" | "data"; path: string }, now = new Date()): boolean {
  if (a.principal.role === "admin") return true;
  const folders = r.kind === "notebook" ? notebookFolders(a) : dataFolders(a, now);
  return inFolders(r.path, folders) || folders.some((f) => isAncestor(r.path, f));
}

/** How long a user's proposals are trusted without asking PostgreSQL again; changes made here forget them at once. */
const ACCESS_TTL_MS = 5_000;

/**
 * The proposals each user reaches, cached briefly: authorization must stay well under a
 * millisecond per request (issue 13's bench), and a membership change made through this server
 * drops the cache at once (`forget`), so a removed member loses access on their next request.
 */
export class AccessResolver {
  private readonly cache = new Map<string, { at: number; proposals: ProposalAccess[] }>();

  /** `proposalsOf`: the proposals a user is a member of (memberProposals over PostgreSQL). */
  constructor(private readonly proposalsOf: (userId: string) => Promise<ProposalAccess[]>) {}

  async of(principal: Principal): Promise<Access> {
    if (principal.role === "admin") return { principal, proposals: [] };
    let hit = this.cache.get(principal.userId);
    if (!hit || performance.now() - hit.at > ACCESS_TTL_MS) {
      hit = { at: performance.now(), proposals: await this.proposalsOf(principal.userId) };
      this.cache.set(principal.userId, hit);
    }
    const only = principal.proposalIds;
    const proposals = only !== null && only.length > 0 ? hit.proposals.filter((x) => only.includes(x.id)) : hit.proposals;
    return { principal, proposals };
  }

  /** After a membership, proposal or account change: everyone's proposals are read again. */
  forget(): void {
    this.cache.clear();
  }
}

/** A user's proposals: those they are a member of and, for an instrument scientist, every proposal on their beamlines. */
export function memberProposals(db: Db): (userId: string) => Promise<ProposalAccess[]> {
  return async (userId) => {
    const user = await db.user.findUnique({ where: { id: userId }, select: { role: true, beamlines: true } });
    const staff = user?.role === "instrument_scientist" ? [{ beamline: { in: user.beamlines } }] : [];
    return db.proposal.findMany({
      where: { OR: [{ memberships: { some: { userId } } }, ...staff] },
      select: { id: true, number: true, dataFolder: true, embargo: true, beamline: true },
      orderBy: { number: "asc" },
    });
  };
}

const ACCESS = Symbol("access");

/** The request's access, resolved once per request. */
export async function accessOf(res: Response, resolver: AccessResolver): Promise<Access> {
  const locals = res.locals as { [ACCESS]?: Promise<Access> };
  locals[ACCESS] ??= resolver.of(principalOf(res));
  return locals[ACCESS];
}

/**
 * Refuses what `can` refuses, with `message`: a thing of someone else's is answered like a
 * missing one (404), so that ids and paths cannot be probed; the service and facility are 403.
 */
export function refuseUnless(allowed: boolean, r: Resource, message: string): void {
  if (allowed) return;
  if (r.kind === "service" || r.kind === "facility") throw new HttpError(403, message, "Forbidden");
  throw new NotFoundDomainError(message);
}

/** The route's check: resolves the request's access, then `can`, then `refuseUnless`. */
export async function authorize(res: Response, resolver: AccessResolver, action: Action, r: Resource, message: string): Promise<Access> {
  const a = await accessOf(res, resolver);
  refuseUnless(can(a, action, r), r, message);
  return a;
}
