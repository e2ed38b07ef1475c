import { randomUUID } from "node:crypto";
import { HttpError } from "../errors.ts";
import type { KernelManager } from "../kernels/manager.ts";
import type { SessionModel } from "./model.ts";

interface Session {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string;
}

/** Sessions tie a notebook path to a kernel, as Jupyter Server's session manager does. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly kernels: KernelManager) {}

  list(): SessionModel[] {
    return [...this.sessions.values()].filter((s) => this.alive(s)).map((s) => this.model(s));
  }

  get(id: string): SessionModel {
    const s = this.sessions.get(id);
    if (!s || !this.alive(s)) throw new HttpError(404, `Session not found: ${id}`, "Not Found");
    return this.model(s);
  }

  /** A new session, or the existing one for this path (as Jupyter Server answers). */
  async create(req: { path: string; name: string; type: string; kernel: { id?: string; name?: string } }): Promise<SessionModel> {
    const existing = [...this.sessions.values()].find((s) => s.path === req.path && this.alive(s));
    if (existing) return this.model(existing);
    const kernelId = req.kernel.id !== undefined ? this.kernels.get(req.kernel.id).id : (await this.kernels.start(req.kernel.name)).id;
    const session: Session = { id: randomUUID(), path: req.path, name: req.name, type: req.type, kernelId };
    this.sessions.set(session.id, session);
    return this.model(session);
  }

  async update(id: string, change: { path?: string; name?: string; type?: string; kernel?: { id?: string; name?: string } }): Promise<SessionModel> {
    const s = this.sessions.get(id);
    if (!s) throw new HttpError(404, `Session not found: ${id}`, "Not Found");
    if (change.kernel?.id !== undefined && change.kernel.id !== s.kernelId) {
      s.kernelId = this.kernels.get(change.kernel.id).id;
    } else if (change.kernel?.name !== undefined) {
      const old = s.kernelId;
      s.kernelId = (await this.kernels.start(change.kernel.name)).id;
      await this.kernels.shutdown(old).catch(() => undefined);
    }
    Object.assign(s, { path: change.path ?? s.path, name: change.name ?? s.name, type: change.type ?? s.type });
    return this.model(s);
  }

  async delete(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) throw new HttpError(404, `Session not found: ${id}`, "Not Found");
    this.sessions.delete(id);
    await this.kernels.shutdown(s.kernelId).catch(() => undefined);
  }

  /** A session whose kernel was shut down through /api/kernels is gone too. */
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
