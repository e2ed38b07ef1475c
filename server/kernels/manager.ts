import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { allocateConnection, writeConnectionFile } from "../../kernel/protocol/connection.ts";
import { HttpError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { KernelSpecRegistry } from "../kernelspecs/registry.ts";
import { ManagedKernel, KernelStartError } from "./managed-kernel.ts";
import type { KernelModel } from "./model.ts";
import { OutputJournal } from "./output-journal.ts";
import { removeConnectionFile } from "./process.ts";

export interface KernelManagerOptions {
  runtimeDir: string;
  cwd: string;
  env: Record<string, string>;
}

/** Starts, finds and stops kernel processes: one process per kernel, as Jupyter Server does. */
export class KernelManager {
  private readonly kernels = new Map<string, ManagedKernel>();
  /** What every kernel printed, kept while no browser watches (GET /api/lightbook/kernels/{id}/executions). */
  readonly journal = new OutputJournal();
  private readonly detachJournal = new Map<string, () => void>();

  constructor(
    private readonly specs: KernelSpecRegistry,
    private readonly opts: KernelManagerOptions,
    private readonly log: Logger,
  ) {}

  list(): KernelModel[] {
    return [...this.kernels.values()].map((k) => k.model());
  }

  get(id: string): ManagedKernel {
    const k = this.kernels.get(id);
    if (!k) throw new HttpError(404, `Kernel does not exist: ${id}`, "Not Found");
    return k;
  }

  async start(name: string | undefined): Promise<ManagedKernel> {
    const spec = this.specs.get(name ?? this.specs.defaultName);
    if (!spec) throw new HttpError(404, `No such kernel: ${JSON.stringify(name)}; available: ${this.specs.names().join(", ")}`, "Not Found");
    const id = randomUUID();
    await mkdir(this.opts.runtimeDir, { recursive: true, mode: 0o700 });
    const connectionFile = path.join(this.opts.runtimeDir, `kernel-${id}.json`);
    const connection = await allocateConnection("127.0.0.1", spec.name);
    await writeConnectionFile(connectionFile, connection);
    const kernel = new ManagedKernel(id, spec.name, connection, { argv: spec.spec.argv, interruptMode: spec.spec.interrupt_mode, connectionFile, env: { ...process.env, ...spec.spec.env, ...this.opts.env, JPY_PARENT_PID: String(process.pid) }, cwd: this.opts.cwd }, this.log);
    this.kernels.set(id, kernel);
    this.detachJournal.set(id, this.journal.attach(kernel));
    try {
      await kernel.start();
    } catch (e: unknown) {
      this.kernels.delete(id);
      this.forgetJournal(id);
      await removeConnectionFile(connectionFile);
      if (e instanceof KernelStartError) {
        this.log.error({ kernel: id, err: e.message }, "kernel failed to start");
        throw new HttpError(500, e.message, "Kernel failed to start");
      }
      throw e;
    }
    this.log.info({ kernel: id, name: spec.name }, "kernel started");
    return kernel;
  }

  async shutdown(id: string): Promise<void> {
    const kernel = this.get(id);
    this.kernels.delete(id);
    this.forgetJournal(id);
    await kernel.stop();
    await removeConnectionFile(path.join(this.opts.runtimeDir, `kernel-${id}.json`));
    this.log.info({ kernel: id }, "kernel shut down");
  }

  private forgetJournal(id: string): void {
    this.detachJournal.get(id)?.();
    this.detachJournal.delete(id);
  }

  async restart(id: string): Promise<ManagedKernel> {
    const kernel = this.get(id);
    try {
      await kernel.restart();
    } catch (e: unknown) {
      if (e instanceof KernelStartError) throw new HttpError(500, e.message, "Kernel failed to restart");
      throw e;
    }
    return kernel;
  }

  async shutdownAll(): Promise<void> {
    await Promise.all([...this.kernels.keys()].map((id) => this.shutdown(id).catch(() => undefined)));
  }
}
