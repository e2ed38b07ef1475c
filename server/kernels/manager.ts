import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { allocateConnection, writeConnectionFile, type ConnectionInfo } from "../../kernel/protocol/connection.ts";
import { coerceError, HttpError, NotFoundDomainError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { KernelSpecRegistry } from "../kernelspecs/registry.ts";
import { ManagedKernel, KernelStartError } from "./managed-kernel.ts";
import type { KernelModel } from "../../contracts/kernels.ts";
import { OutputJournal } from "./output-journal.ts";
import { kernelBaseEnv, processRuns, removeKernelFiles } from "./process.ts";
import type { KernelRecord, KernelStore } from "./store.ts";
import type { KernelPlacement, KernelProvisioner } from "./provisioner.ts";

export interface KernelManagerOptions {
  /** The server's own folder for kernels' logs (and their connection files, unless the provisioner puts them elsewhere). */
  runtimeDir: string;
  env: Record<string, string>;
  /**
   * How long a kernel outlives its server (LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS): a restarted server
   * reattaches it meanwhile. 0: kernels end with the server, as under Jupyter Server.
   */
  orphanGraceMs: number;
}

/**
 * A kernel's own API token (LIGHTBOOK_TOKEN in its environment): the user's, scoped to reading and
 * runs, revoked with the kernel, so that cells reach only what their user may (issue 13, item 3)
 * and never the server's token.
 */
export interface KernelTokens {
  /** `proposalIds`: what the token is narrowed to (empty: all of its user's). */
  issue(userId: string, kernelId: string, proposalIds: string[]): Promise<{ id: string; token: string }>;
  revoke(userId: string, tokenId: string): Promise<void>;
}

/** Who a kernel belongs to, and the token it was given. */
interface Ownership {
  ownerId: string | null;
  tokenId: string | null;
  /** The proposal of the notebook it was started for, or null (personal, or started by itself). */
  proposalId: string | null;
  /** The environment the kernel is (re)started with; a token issued later goes into it. */
  env: NodeJS.ProcessEnv;
}

/** The server pings each kernel's heartbeat this often, well inside the grace. */
const MAX_PING_MS = 3000;

/**
 * Starts, finds and stops kernel processes: one process per kernel, as Jupyter Server does, but
 * recorded in PostgreSQL and detached from the server, so that a restarted server reattaches them.
 */
/** Whose a kernel is, as the authorizer sees it. */
export interface KernelOwnership {
  ownerId: string | null;
  proposalId: string | null;
}

export class KernelManager {
  private readonly kernels = new Map<string, ManagedKernel>();
  /** What every kernel printed, kept while no browser watches (GET /api/lightbook/kernels/{id}/executions). */
  readonly journal: OutputJournal;
  /** Per kernel: what stops the journal and the followers (attachToEach) recording it. */
  private readonly detachers = new Map<string, (() => void)[]>();
  private readonly followers: ((kernel: ManagedKernel) => () => void)[] = [];
  private readonly owners = new Map<string, Ownership>();
  private readonly placements = new Map<string, KernelPlacement>();

  constructor(
    private readonly specs: KernelSpecRegistry,
    private readonly opts: KernelManagerOptions,
    private readonly log: Logger,
    private readonly store: KernelStore,
    private readonly tokens: KernelTokens,
    private readonly provisioner: KernelProvisioner,
  ) {
    this.journal = new OutputJournal(undefined, {
      store,
      onSaveError: (kernel, e) => log.warn({ kernel, err: coerceError(e).message }, "could not save the output journal"),
    });
  }

  /** The kernels `visible` keeps (the authorizer's view of their owners). */
  list(visible: (owner: KernelOwnership) => boolean = () => true): KernelModel[] {
    return [...this.kernels.values()].filter((k) => visible(this.ownershipOf(k.id))).map((k) => k.model());
  }

  /** The user who started the kernel (null for one recorded before kernels had owners) and the proposal it was started for. */
  ownershipOf(id: string): KernelOwnership {
    const o = this.owners.get(id);
    return { ownerId: o?.ownerId ?? null, proposalId: o?.proposalId ?? null };
  }

  get(id: string): ManagedKernel {
    const k = this.kernels.get(id);
    if (!k) throw new NotFoundDomainError(`Kernel does not exist: ${id}`);
    return k;
  }

  private files(id: string): { connectionFile: string; logFile: string } {
    return { connectionFile: this.placements.get(id)!.connectionFile, logFile: path.join(this.opts.runtimeDir, `kernel-${id}.log`) };
  }

  /** Where the provisioner runs the kernel, and as whom. */
  private async place(id: string, ownerId: string | null): Promise<void> {
    await mkdir(this.opts.runtimeDir, { recursive: true, mode: 0o700 });
    this.placements.set(id, await this.provisioner.place(id, ownerId));
  }

  private async writeConnection(id: string, connection: ConnectionInfo): Promise<void> {
    const { connectionFile, handOver } = this.placements.get(id)!;
    await writeConnectionFile(connectionFile, connection);
    await handOver(connectionFile);
  }

  private create(id: string, specName: string, connection: ConnectionInfo, owner: Omit<Ownership, "env">, saved?: KernelRecord): ManagedKernel {
    const spec = this.specs.get(specName);
    if (!spec) throw new NotFoundDomainError(`No such kernel: ${JSON.stringify(specName)}; available: ${this.specs.names().join(", ")}`);
    const grace = this.opts.orphanGraceMs;
    const placement = this.placements.get(id)!;
    const env: NodeJS.ProcessEnv = {
      ...kernelBaseEnv(process.env),
      ...spec.spec.env,
      ...this.opts.env,
      ...placement.env,
      // Kernels outlive the server for the grace (kernel/transport/heartbeat.ts), or end with it.
      ...(grace > 0 ? { LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: String(grace) } : { JPY_PARENT_PID: String(process.pid) }),
    };
    const kernel = new ManagedKernel(
      id,
      spec.name,
      connection,
      {
        argv: [...placement.argvPrefix, ...spec.spec.argv],
        interruptMode: spec.spec.interrupt_mode,
        ...this.files(id),
        env,
        cwd: placement.cwd,
        pingMs: Math.max(100, Math.min(MAX_PING_MS, Math.floor(grace / 3))),
      },
      this.log,
    );
    this.kernels.set(id, kernel);
    this.owners.set(id, { ...owner, env });
    this.detachers.set(id, [this.journal.attach(kernel, saved?.executions, saved?.journalMsgId ?? null), ...this.followers.map((follow) => follow(kernel))]);
    kernel.onState((s) => {
      if (s === "dead") void this.store.setState(id, "dead").catch(() => undefined);
    });
    return kernel;
  }

  private async record(kernel: ManagedKernel): Promise<void> {
    const { ownerId, tokenId, proposalId } = this.owners.get(kernel.id)!;
    await this.store.put({
      id: kernel.id,
      name: kernel.name,
      pid: kernel.pid!,
      pgid: kernel.pgid!,
      connection: kernel.connection,
      state: "running",
      ownerId,
      tokenId,
      proposalId,
    });
  }

  /**
   * A new token for the kernel's next process. A reattached kernel's secret is not known (only its
   * hash is stored), so a restart after a server restart gets a new one and the old is revoked.
   */
  private async issueToken(id: string): Promise<void> {
    const o = this.owners.get(id)!;
    if (o.ownerId === null || o.env.LIGHTBOOK_TOKEN !== undefined) return;
    if (o.tokenId !== null) await this.tokens.revoke(o.ownerId, o.tokenId).catch(() => undefined);
    const t = await this.tokens.issue(o.ownerId, id, o.proposalId === null ? [] : [o.proposalId]);
    o.tokenId = t.id;
    o.env.LIGHTBOOK_TOKEN = t.token;
  }

  private async revokeToken(id: string): Promise<void> {
    const o = this.owners.get(id);
    this.owners.delete(id);
    if (o?.ownerId && o.tokenId)
      await this.tokens
        .revoke(o.ownerId, o.tokenId)
        .catch((e: unknown) => this.log.warn({ kernel: id, err: coerceError(e).message }, "could not revoke a kernel's token"));
  }

  private async newConnection(id: string, specName: string): Promise<ConnectionInfo> {
    const connection = await allocateConnection("127.0.0.1", specName);
    await this.writeConnection(id, connection);
    return connection;
  }

  /**
   * A new kernel of `ownerId`'s (the user whose request starts it); one started for a proposal's
   * notebook gets a token that reaches that proposal only, so its runs are the proposal's.
   */
  async start(name: string | undefined, ownerId: string, proposalId: string | null = null): Promise<ManagedKernel> {
    const specName = name ?? this.specs.defaultName;
    if (!this.specs.get(specName)) throw new NotFoundDomainError(`No such kernel: ${JSON.stringify(name)}; available: ${this.specs.names().join(", ")}`);
    const id = randomUUID();
    await this.place(id, ownerId);
    const kernel = this.create(id, specName, await this.newConnection(id, specName), { ownerId, tokenId: null, proposalId });
    try {
      await this.issueToken(id);
      await kernel.start();
      await this.record(kernel);
    } catch (e: unknown) {
      this.kernels.delete(id);
      this.stopFollowing(id);
      await this.revokeToken(id);
      await kernel.stop().catch(() => undefined);
      await removeKernelFiles(this.files(id).connectionFile, this.files(id).logFile);
      this.placements.delete(id);
      if (e instanceof KernelStartError) {
        this.log.error({ kernel: id, err: e.message }, "kernel failed to start");
        throw new HttpError(500, e.message, "Kernel failed to start");
      }
      throw e;
    }
    this.log.info({ kernel: id, name: specName, pid: kernel.pid }, "kernel started");
    return kernel;
  }

  /**
   * Takes over every kernel recorded by earlier servers (at start, before requests are served).
   * One whose process is gone or does not answer is kept as `dead`: restartable, its notebook
   * and journal untouched.
   */
  async reattachAll(): Promise<void> {
    const started = performance.now();
    const records = await this.store.list();
    await Promise.all(records.map((r) => this.reattach(r)));
    if (records.length === 0) return;
    const dead = [...this.kernels.values()].filter((k) => k.state === "dead").length;
    // bench/kernel-restart.ts reads this line.
    this.log.info({ kernels: records.length, dead, ms: Math.round(performance.now() - started) }, "recorded kernels reattached");
  }

  private async reattach(r: KernelRecord): Promise<void> {
    let kernel: ManagedKernel;
    await this.place(r.id, r.ownerId);
    try {
      kernel = this.create(r.id, r.name, r.connection, { ownerId: r.ownerId, tokenId: r.tokenId, proposalId: r.proposalId }, r);
    } catch (e: unknown) {
      this.log.warn({ kernel: r.id, err: coerceError(e).message }, "a recorded kernel's kernelspec is gone; forgetting the kernel");
      await this.store.delete(r.id);
      return;
    }
    if (r.state === "dead" || !processRuns(r.pid, r.pgid)) {
      kernel.markDead();
      this.log.warn({ kernel: r.id, pid: r.pid }, "a recorded kernel's process is gone: reported dead");
      return;
    }
    try {
      await this.writeConnection(r.id, r.connection);
      await kernel.reattach(r.pid, r.pgid, r.journalMsgId);
      this.log.info({ kernel: r.id, pid: r.pid }, "kernel reattached");
    } catch (e: unknown) {
      kernel.markDead();
      this.log.warn({ kernel: r.id, err: coerceError(e).message }, "a recorded kernel did not answer: reported dead");
    }
  }

  async shutdown(id: string): Promise<void> {
    const kernel = this.get(id);
    this.kernels.delete(id);
    this.stopFollowing(id);
    await kernel.stop();
    await this.store.delete(id);
    await this.revokeToken(id);
    await removeKernelFiles(this.files(id).connectionFile, this.files(id).logFile);
    this.placements.delete(id);
    this.log.info({ kernel: id }, "kernel shut down");
  }

  /**
   * A part of the server that follows every kernel from its start (the notebook runner): `follow`
   * is called for each kernel started from now on, and what it returns when the kernel shuts down.
   */
  attachToEach(follow: (kernel: ManagedKernel) => () => void): void {
    this.followers.push(follow);
  }

  private stopFollowing(id: string): void {
    for (const detach of this.detachers.get(id) ?? []) detach();
    this.detachers.delete(id);
  }

  async restart(id: string): Promise<ManagedKernel> {
    const kernel = this.get(id);
    try {
      await this.issueToken(id);
      // A dead kernel's ports may have been taken while it was gone.
      await kernel.restart(kernel.state === "dead" ? await this.newConnection(id, kernel.name) : undefined);
      await this.record(kernel);
    } catch (e: unknown) {
      if (e instanceof KernelStartError) throw new HttpError(500, e.message, "Kernel failed to restart");
      throw e;
    }
    return kernel;
  }

  /**
   * The server stops: with an orphan grace, its kernels keep running for the next server to
   * reattach, their journals saved; without one, they are shut down.
   */
  async close(): Promise<void> {
    if (this.opts.orphanGraceMs === 0) {
      await Promise.all([...this.kernels.keys()].map((id) => this.shutdown(id).catch(() => undefined)));
      return;
    }
    await this.journal.flush();
    await Promise.all([...this.kernels.values()].map((k) => k.detach()));
  }
}
