import type { Db } from "../db/client.ts";
import type { Beamtime, Membership, Proposal, User } from "../db/generated/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import type { Principal } from "../../contracts/accounts.ts";
import {
  membershipRole,
  proposalFolder,
  personalFolder,
  PROPOSALS_ROOT,
  type CreateProposalBody,
  type MembershipModel,
  type MembershipRole,
  type MySpaces,
  type ProposalModel,
  type UpdateProposalBody,
} from "../../contracts/admin.ts";
import { parseContract } from "../../contracts/parse.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";
import { checkDataFolder } from "./data-folder.ts";

type ProposalRow = Proposal & { memberships: (Membership & { user: Pick<User, "username"> })[]; beamtimes: Beamtime[] };

const WITH_PARTS = {
  memberships: { include: { user: { select: { username: true } } }, orderBy: { user: { username: "asc" } } },
  beamtimes: { orderBy: { start: "asc" } },
} as const;

function membershipOf(m: ProposalRow["memberships"][number]): MembershipModel {
  return { userId: m.userId, username: m.user.username, role: parseContract(membershipRole, m.role, `membership ${m.userId} role`) };
}

function modelOf(p: ProposalRow): ProposalModel {
  return {
    id: p.id,
    number: p.number,
    title: p.title,
    beamline: p.beamline,
    dataFolder: p.dataFolder,
    embargo: p.embargo?.toISOString() ?? null,
    created: p.created.toISOString(),
    members: p.memberships.map(membershipOf),
    beamtimes: p.beamtimes.map((b) => ({ id: b.id, start: b.start.toISOString(), end: b.end.toISOString() })),
  };
}

/** The proposal whose notebook folder (`proposals/<number>/…`) holds `path`, or null. */
export function proposalOfNotebook(db: Db): (path: string) => Promise<string | null> {
  return async (path) => {
    const m = new RegExp(`^${PROPOSALS_ROOT}/([^/]+)/`).exec(path.replace(/^\/+/, ""));
    if (!m) return null;
    return (await db.proposal.findUnique({ where: { number: m[1]! }, select: { id: true } }))?.id ?? null;
  };
}

/** What a notebook folder needs to exist: the contents tree's directory rows (server/contents). */
export interface Folders {
  ensureFolder(path: string): Promise<void>;
}

/**
 * Proposals (issue 13, item 2): an experiment's group with its beamline, data folder under the
 * data root, embargo, members and beamtime sessions. Admins manage them; everyone lists their own.
 */
export class Proposals {
  constructor(
    private readonly db: Db,
    /** The data root (LIGHTBOOK_DATA_ROOT) every data folder must stay inside. */
    private readonly dataRoot: string,
    private readonly folders: Folders,
    /** Who reaches what changed (a membership, a data folder, an embargo): the authorizer reads it again. */
    private readonly changed: () => void = () => undefined,
  ) {}

  async list(): Promise<ProposalModel[]> {
    return (await this.db.proposal.findMany({ include: WITH_PARTS, orderBy: { number: "asc" } })).map(modelOf);
  }

  async get(id: string): Promise<ProposalModel> {
    const p = await this.db.proposal.findUnique({ where: { id }, include: WITH_PARTS });
    if (!p) throw new NotFoundDomainError(`no proposal ${id}`);
    return modelOf(p);
  }

  /** A new proposal and its notebook folder; a number already used is a conflict. */
  async create(body: CreateProposalBody): Promise<ProposalModel> {
    const dataFolder = checkDataFolder(this.dataRoot, body.dataFolder);
    let created: ProposalRow;
    try {
      created = await this.db.proposal.create({
        data: { number: body.number, title: body.title, beamline: body.beamline, dataFolder, embargo: body.embargo === null ? null : new Date(body.embargo) },
        include: WITH_PARTS,
      });
    } catch (e: unknown) {
      if (isUniqueViolation(e)) throw new DomainError("conflict", `number: a proposal numbered ${body.number} exists already`);
      throw e;
    }
    await this.folders.ensureFolder(proposalFolder(created.number));
    return modelOf(created);
  }

  async update(id: string, body: UpdateProposalBody): Promise<ProposalModel> {
    const dataFolder = body.dataFolder === undefined ? undefined : checkDataFolder(this.dataRoot, body.dataFolder);
    const embargo = body.embargo === undefined ? undefined : body.embargo === null ? null : new Date(body.embargo);
    const r = await this.db.proposal.updateMany({ where: { id }, data: { title: body.title, beamline: body.beamline, dataFolder, embargo } });
    if (r.count === 0) throw new NotFoundDomainError(`no proposal ${id}`);
    this.changed();
    return this.get(id);
  }

  /** Adds a member; the user is named by username (what an admin types), a member already there is a conflict. */
  async addMember(id: string, username: string, role: MembershipRole): Promise<MembershipModel> {
    await this.requireProposal(id);
    const user = await this.db.user.findUnique({ where: { username }, select: { id: true, username: true } });
    if (!user) throw new InvalidInputError(`username: no user named ${username}`);
    try {
      const m = await this.db.membership.create({ data: { proposalId: id, userId: user.id, role }, include: { user: { select: { username: true } } } });
      this.changed();
      return membershipOf(m);
    } catch (e: unknown) {
      if (isUniqueViolation(e)) throw new DomainError("conflict", `username: ${username} is a member already; change their role instead`);
      throw e;
    }
  }

  async updateMember(id: string, userId: string, role: MembershipRole): Promise<MembershipModel> {
    const r = await this.db.membership.updateManyAndReturn({
      where: { proposalId: id, userId },
      data: { role },
      include: { user: { select: { username: true } } },
    });
    if (!r[0]) throw new NotFoundDomainError(`user ${userId} is not a member of proposal ${id}`);
    return membershipOf(r[0]);
  }

  async removeMember(id: string, userId: string): Promise<void> {
    const r = await this.db.membership.deleteMany({ where: { proposalId: id, userId } });
    // At once: the removed member's pages, tokens and kernels reach the proposal no more (issue 13, item 7).
    this.changed();
    if (r.count === 0) throw new NotFoundDomainError(`user ${userId} is not a member of proposal ${id}`);
  }

  /** A beamtime session; the body's schema has checked that it ends after it starts. */
  async addBeamtime(id: string, start: string, end: string): Promise<{ id: string; start: string; end: string }> {
    await this.requireProposal(id);
    const b = await this.db.beamtime.create({ data: { proposalId: id, start: new Date(start), end: new Date(end) } });
    return { id: b.id, start: b.start.toISOString(), end: b.end.toISOString() };
  }

  async removeBeamtime(id: string, beamtimeId: string): Promise<void> {
    const r = await this.db.beamtime.deleteMany({ where: { id: beamtimeId, proposalId: id } });
    if (r.count === 0) throw new NotFoundDomainError(`no beamtime ${beamtimeId} in proposal ${id}`);
  }

  /**
   * The caller's spaces for the switcher: their proposals with their role (an admin: every
   * proposal; an instrument scientist: those on their beamlines too, without a role), narrowed to
   * an API token's proposals when it names some, and their personal folder.
   */
  async spacesOf(p: Principal): Promise<MySpaces> {
    const only = p.proposalIds && p.proposalIds.length > 0 ? { id: { in: p.proposalIds } } : {};
    const staff =
      p.role === "instrument_scientist"
        ? [{ beamline: { in: (await this.db.user.findUnique({ where: { id: p.userId }, select: { beamlines: true } }))?.beamlines ?? [] } }]
        : [];
    const rows = await this.db.proposal.findMany({
      where: p.role === "admin" ? only : { ...only, OR: [{ memberships: { some: { userId: p.userId } } }, ...staff] },
      include: { memberships: { where: { userId: p.userId }, select: { role: true } } },
      orderBy: { number: "asc" },
    });
    return {
      personal: personalFolder(p.username),
      proposals: rows.map((r) => ({
        id: r.id,
        number: r.number,
        title: r.title,
        beamline: r.beamline,
        role: r.memberships[0] ? parseContract(membershipRole, r.memberships[0].role, `membership of ${p.userId} role`) : null,
        path: proposalFolder(r.number),
      })),
    };
  }

  private async requireProposal(id: string): Promise<void> {
    if (!(await this.db.proposal.findUnique({ where: { id }, select: { id: true } }))) throw new NotFoundDomainError(`no proposal ${id}`);
  }
}
