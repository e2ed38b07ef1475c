import { randomUUID } from "node:crypto";
import { NotFoundDomainError } from "../../runtime/errors.ts";
import type { Db } from "../db/client.ts";
import type { KernelManager, KernelOwnership } from "../kernels/manager.ts";
import type { SessionModel } from "../../contracts/sessions.ts";

interface Session {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string;
}

/**
 * Sessions tie a notebook path to a kernel, as Jupyter Server's session manager does. They are
 * rows of `kernel_session` (kept in memory too, for the synchronous reads), so they outlive a
 * server restart with their kernels; a kernel's rows go with it (cascade).
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly kernels: KernelManager,
    private readonly db: Db,
    /** The proposal whose folder holds a notebook (server/proposals/proposals.ts), for its kernel's token. */
    private readonly proposalOf: (path: string) => Promise<string | null> = async () => null,
  ) {
    kernels.journal.notebookPathOf = (kernelId) => [...this.sessions.values()].find((s) => s.kernelId === kernelId)?.path ?? null;
  }

  /** The sessions recorded by earlier servers whose kernels were reattached (or are known dead). */
  async load(): Promise<void> {
    for (const s of await this.db.kernelSession.findMany()) this.sessions.set(s.id, s);
  }

  /** The live sessions whose kernel's owner `visible` keeps. */
  list(visible: (owner: KernelOwnership) => boolean = () => true): SessionModel[] {
    return [...this.sessions.values()].filter((s) => this.alive(s) && visible(this.kernels.ownershipOf(s.kernelId))).map((s) => this.model(s));
  }

  /** A session belongs to its kernel's owner (and proposal). */
  ownershipOf(id: string): KernelOwnership {
    const s = this.sessions.get(id);
    return s ? this.kernels.ownershipOf(s.kernelId) : { ownerId: null, proposalId: null };
  }

  get(id: string): SessionModel {
    const s = this.sessions.get(id);
    if (!s || !this.alive(s)) throw new NotFoundDomainError(`Session not found: ${id}`);
    return this.model(s);
  }

  /** The notebook a kernel runs for: the path of a live session bound to it, if any. */
  pathOf(kernelId: string): string | undefined {
    return [...this.sessions.values()].find((s) => s.kernelId === kernelId && this.alive(s))?.path;
  }

  /**
   * A new session, or `ownerId`'s existing one for this path (as Jupyter Server answers): two
   * members of a proposal who open one notebook each get their own kernel (issue 13: kernels are
   * their starter's).
   */
  async create(req: { path: string; name: string; type: string; kernel: { id?: string; name?: string } }, ownerId: string): Promise<SessionModel> {
    const existing = [...this.sessions.values()].find((s) => s.path === req.path && this.alive(s) && this.kernels.ownershipOf(s.kernelId).ownerId === ownerId);
    if (existing) return this.model(existing);
    const kernelId =
      req.kernel.id !== undefined
        ? this.kernels.get(req.kernel.id).id
        : (await this.kernels.start(req.kernel.name, ownerId, await this.proposalOf(req.path))).id;
    const session: Session = { id: randomUUID(), path: req.path, name: req.name, type: req.type, kernelId };
    await this.db.kernelSession.create({ data: session });
    this.sessions.set(session.id, session);
    return this.model(session);
  }

  async update(
    id: string,
    change: { path?: string; name?: string; type?: string; kernel?: { id?: string; name?: string } },
    ownerId: string,
  ): Promise<SessionModel> {
    const s = this.sessions.get(id);
    if (!s) throw new NotFoundDomainError(`Session not found: ${id}`);
    const next = { ...s, path: change.path ?? s.path, name: change.name ?? s.name, type: change.type ?? s.type };
    let old: string | undefined;
    if (change.kernel?.id !== undefined && change.kernel.id !== s.kernelId) {
      next.kernelId = this.kernels.get(change.kernel.id).id;
    } else if (change.kernel?.name !== undefined) {
      old = s.kernelId;
      next.kernelId = (await this.kernels.start(change.kernel.name, ownerId, await this.proposalOf(next.path))).id;
    }
    await this.db.kernelSession.update({ where: { id }, data: next });
    Object.assign(s, next);
    if (old !== undefined) await this.kernels.shutdown(old).catch(() => undefined);
    return this.model(s);
  }

  async delete(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) throw new NotFoundDomainError(`Session not found: ${id}`);
    this.sessions.delete(id);
    await this.db.kernelSession.deleteMany({ where: { id } });
    await this.kernels.shutdown(s.kernelId).catch(() => undefined);
  }

  /** A session whose kernel was shut down through /api/kernels is gone too (its row went with the kernel's). */
  private alive(s: Session): boolean {
    try {
      this.kernels.get(s.kernelId);
      return true;
    } catch {
      this.sessions.delete(s.id);
      return false;
    }
  }

  private model(s: Session): SessionModel {
    return { id: s.id, path: s.path, name: s.name, type: s.type, kernel: this.kernels.get(s.kernelId).model(), notebook: { path: s.path, name: s.name } };
  }
}
