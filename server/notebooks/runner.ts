import { randomUUID } from "node:crypto";
import { isExecuteReply, isExecuteRequest, type Message } from "../../kernel/protocol/messages.ts";
import { makeMessage } from "../../kernel/protocol/reply.ts";
import { DomainError, InvalidInputError, coerceError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { CellExecution, CellSelection } from "../../contracts/executions.ts";
import type { RecordedExecution } from "../../contracts/journal.ts";
import { parseNotebook, type Notebook } from "../../contracts/notebook.ts";
import { outputEventFromMessage, toNbOutput, type OutputEvent, type OutputState } from "../../contracts/outputs.ts";
import type { SentToKernel } from "../audit/executions.ts";
import type { ContentsManager } from "../contents/manager.ts";
import { nameOf } from "../contents/paths.ts";
import type { ManagedKernel } from "../kernels/managed-kernel.ts";
import type { KernelManager } from "../kernels/manager.ts";
import type { SessionManager } from "../sessions/manager.ts";
import type { CellOutputsSink } from "./cell-outputs.ts";
import { applyBounded, DEFAULT_OUTPUT_LIMITS, NO_OUTPUTS, type OutputLimits } from "./bounded-outputs.ts";
import { OutputWrites } from "./output-writes.ts";

export interface RunnerParts {
  kernels: KernelManager;
  sessions: SessionManager;
  contents: ContentsManager;
  /** writeCellOutputs bound to the database. */
  store: CellOutputsSink;
  log: Logger;
}

export interface RunnerOptions {
  /** A running cell's outputs are stored at most this often (and once more when it ends). */
  throttleMs: number;
  /** Ended executions listed per notebook. */
  keep: number;
  limits: OutputLimits;
}

const DEFAULT_OPTIONS: RunnerOptions = { throttleMs: 1000, keep: 500, limits: DEFAULT_OUTPUT_LIMITS };

/** One execution of one cell, from its execute_request to its outputs stored. */
interface Tracked {
  model: CellExecution;
  kernelId: string;
  path: string;
  /** Released when it ends, unless a display in it may still be updated. */
  outputs: OutputState | null;
  replied: boolean;
  idle: boolean;
  ending: boolean;
  timer: NodeJS.Timeout | undefined;
}

type CodeCell = Extract<Notebook["cells"][number], { cell_type: "code" }> & { id: string };

function joined(source: string | string[]): string {
  return typeof source === "string" ? source : source.join("");
}

/**
 * The server-side runner (issue 11): every execution of a notebook's cell, keyed by cell id,
 * whoever asked for it. POST …/executions sends execute_requests itself, on the notebook's session
 * kernel; execute_requests that clients send over the kernel WebSocket with `metadata.cellId` (as
 * JupyterLab does) are followed the same way, as long as the kernel's session names a notebook.
 * Each execution's iopub messages are reduced to nbformat outputs by the reducer the page uses
 * (contracts/outputs.ts) and stored into the notebook by cell id: throttled while the cell runs,
 * and once more when it ends (reply and idle both in). So a notebook runs and keeps its outputs
 * with no page open, and a page that closes loses nothing.
 */
export class NotebookRunner {
  /** Executions not ended yet, by execute_request msg_id. */
  private readonly live = new Map<string, Tracked>();
  /** Each notebook's recent executions, oldest first. */
  private readonly byPath = new Map<string, Tracked[]>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly writes: OutputWrites;
  /** The session id of the runner's own execute_requests. */
  private readonly session = randomUUID();
  private readonly opts: RunnerOptions;

  constructor(
    private readonly parts: RunnerParts,
    opts: Partial<RunnerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_OPTIONS, ...opts };
    this.writes = new OutputWrites(parts.store, parts.log);
    parts.kernels.attachToEach((kernel) => this.follow(kernel));
  }

  /**
   * Runs cells of the stored notebook in the given order (all: every code cell, in notebook
   * order) on `ownerId`'s session of the notebook. `sent` hears each execute_request the kernel
   * took (the audit trail).
   */
  async run(path: string, selection: CellSelection, ownerId: string, sent: SentToKernel = () => undefined): Promise<CellExecution[]> {
    const notebook = await this.stored(path);
    const cells = this.select(path, notebook, selection);
    const kernelName = notebook.metadata.kernelspec?.name;
    const session = await this.parts.sessions.create({ path, name: nameOf(path), type: "notebook", kernel: { name: kernelName } }, ownerId);
    const kernel = this.parts.kernels.get(session.kernel.id);
    if (kernel.state === "dead") throw new DomainError("conflict", `The kernel of ${path} is dead; restart it (POST /api/kernels/${kernel.id}/restart) first`);
    const requests = cells.map((cell) => {
      const msg = makeMessage(
        "execute_request",
        // No page may be there to answer input(): the kernel says so in the cell (allow_stdin false), as nbclient does.
        { code: joined(cell.source), silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        { session: this.session, channel: "shell", metadata: { cellId: cell.id } },
      );
      return { msg, tracked: this.track(kernel.id, path, cell.id, msg.header.msg_id, "api") };
    });
    // All at once, as JupyterLab's Run all: the kernel queues them and, after an error, aborts the rest.
    for (const [i, { msg }] of requests.entries()) {
      try {
        await kernel.send(msg);
        sent(kernel.id, msg);
      } catch (e: unknown) {
        // What was not sent will never reply.
        for (const { tracked } of requests.slice(i)) {
          tracked.model.status = "aborted";
          this.end(tracked);
        }
        throw e;
      }
    }
    return requests.map(({ tracked }) => ({ ...tracked.model }));
  }

  /** The notebook's recent executions, oldest first. */
  list(path: string): CellExecution[] {
    return (this.byPath.get(path) ?? []).map((t) => ({ ...t.model }));
  }

  /** Resolves once none of the notebook's executions is queued or running, or after `ms`. */
  async settled(path: string, ms: number): Promise<void> {
    const busy = () => (this.byPath.get(path) ?? []).some((t) => t.model.state !== "done");
    if (!busy()) return;
    await new Promise<void>((resolve) => {
      const watchers = this.watchers.get(path) ?? new Set();
      this.watchers.set(path, watchers);
      const done = () => {
        clearTimeout(timer);
        watchers.delete(check);
        if (watchers.size === 0 && this.watchers.get(path) === watchers) this.watchers.delete(path);
        resolve();
      };
      const check = () => !busy() && done();
      const timer = setTimeout(done, ms);
      watchers.add(check);
    });
  }

  /**
   * Clears stored outputs and execution counts (JupyterLab's Clear outputs); a running cell's later
   * outputs start afresh. Ids the store does not have are left alone, as writeCellOutputs leaves
   * them: a page clears cells it has not saved yet too.
   */
  async clear(path: string, selection: CellSelection): Promise<void> {
    const notebook = await this.stored(path);
    const wanted = "all" in selection ? undefined : new Set(selection.cell_ids);
    const ids = new Set(notebook.cells.flatMap((c) => (c.cell_type === "code" && c.id !== undefined && (!wanted || wanted.has(c.id)) ? [c.id] : [])));
    for (const t of this.byPath.get(path) ?? []) if (ids.has(t.model.cell_id)) t.outputs = t.ending ? null : NO_OUTPUTS;
    await Promise.all([...ids].map((id) => this.writes.put(path, id, [], null)));
  }

  private async stored(path: string): Promise<Notebook> {
    const model = await this.parts.contents.get(path, { content: true, type: "notebook" });
    return parseNotebook(model.content);
  }

  private select(path: string, notebook: Notebook, selection: CellSelection): CodeCell[] {
    const code = (c: Notebook["cells"][number]): c is CodeCell => c.cell_type === "code" && c.id !== undefined;
    if ("all" in selection) return notebook.cells.filter(code);
    return selection.cell_ids.map((id) => {
      const cell = notebook.cells.find((c) => c.id === id);
      if (!cell) throw new InvalidInputError(`No cell with id ${JSON.stringify(id)} in ${path}`);
      if (!code(cell)) throw new InvalidInputError(`Cell ${JSON.stringify(id)} of ${path} is a ${cell.cell_type} cell; only code cells run`);
      return cell;
    });
  }

  private follow(kernel: ManagedKernel): () => void {
    // A reattached kernel (server/kernels/manager.ts): cells it was running when the last server
    // went away are followed from the journal on, so their outputs still reach the notebook.
    for (const e of this.parts.kernels.journal.executions(kernel.id)) this.adopt(kernel.id, e);
    const stops = [
      kernel.observeShell((msg) => {
        if (isExecuteRequest(msg)) this.onRequest(kernel.id, msg);
        else if (isExecuteReply(msg)) this.onReply(msg);
      }),
      kernel.observe((msg) => this.onIopub(msg)),
      // The process is gone (or going): its queued and running cells will never reply.
      kernel.onState((state) => (state === "dead" || state === "restarting") && this.abandon(kernel.id)),
    ];
    return () => {
      for (const stop of stops) stop();
      this.abandon(kernel.id);
    };
  }

  private track(kernelId: string, path: string, cellId: string, requestId: string, origin: CellExecution["origin"]): Tracked {
    const tracked: Tracked = {
      model: {
        id: requestId,
        cell_id: cellId,
        state: "queued",
        status: null,
        execution_count: null,
        origin,
        queued: new Date().toISOString(),
        started: null,
        ended: null,
      },
      kernelId,
      path,
      outputs: NO_OUTPUTS,
      replied: false,
      idle: false,
      ending: false,
      timer: undefined,
    };
    this.live.set(requestId, tracked);
    const list = this.byPath.get(path) ?? [];
    this.byPath.set(path, list);
    list.push(tracked);
    while (list.length > this.opts.keep && list[0]!.model.state === "done") list.shift();
    return tracked;
  }

  /**
   * A running execution the journal recorded under the previous server: its outputs so far from
   * the journal, the rest as the kernel replays and prints them. Its execute_reply went to the
   * previous server's connection and is lost, so idle alone ends it.
   */
  private adopt(kernelId: string, e: RecordedExecution): void {
    if (e.state !== "running" || e.cell_id === null || e.notebook_path === null || this.live.has(e.request_id)) return;
    const t = this.track(kernelId, e.notebook_path, e.cell_id, e.request_id, "kernel");
    t.replied = true;
    t.model.execution_count = e.execution_count;
    this.started(t, e.started);
    for (const m of e.messages) this.apply(t, m.msg_type, m.content, m.date);
  }

  /** An execute_request from a client over the WebSocket (the runner's own are tracked already). */
  private onRequest(kernelId: string, msg: Message<"execute_request">): void {
    const cellId = msg.metadata.cellId;
    if (this.live.has(msg.header.msg_id) || msg.content.silent === true || typeof cellId !== "string") return;
    const path = this.parts.sessions.pathOf(kernelId);
    if (path !== undefined) this.track(kernelId, path, cellId, msg.header.msg_id, "kernel");
  }

  private onReply(msg: Message<"execute_reply">): void {
    const t = "msg_id" in msg.parent_header ? this.live.get(msg.parent_header.msg_id) : undefined;
    if (!t) return;
    const reply = msg.content;
    t.model.status = reply.status;
    if (typeof reply.execution_count === "number") t.model.execution_count = reply.execution_count;
    t.replied = true;
    if (t.idle) this.end(t);
  }

  private onIopub(msg: Message): void {
    const t = "msg_id" in msg.parent_header ? this.live.get(msg.parent_header.msg_id) : undefined;
    if (!t) return;
    const type = msg.header.msg_type;
    if (type === "status") {
      const state = (msg.content as { execution_state?: unknown }).execution_state;
      if (state === "busy") this.started(t, msg.header.date);
      if (state === "idle") {
        t.idle = true;
        if (t.replied) this.end(t);
      }
      return;
    }
    this.apply(t, type, msg.content, msg.header.date);
  }

  /** One output-bearing iopub message of an execution. */
  private apply(t: Tracked, type: string, content: unknown, date: string): void {
    let event: OutputEvent | null;
    try {
      event = outputEventFromMessage(type, content, date);
    } catch (e: unknown) {
      // Stored where it belongs, as the page shows it, rather than dropped.
      event = { kind: "output", output: { output_type: "error", ename: "InvalidMessage", evalue: coerceError(e).message, traceback: [] } };
    }
    if (!event) return;
    if (event.kind === "execute-input") {
      t.model.execution_count = event.executionCount;
      this.started(t, event.at);
    } else if (event.kind === "update-display") {
      this.updateDisplays(t.path, event);
    } else if (t.outputs) {
      t.outputs = applyBounded(t.outputs, event, this.opts.limits);
      this.changed(t);
    }
  }

  private started(t: Tracked, at: string | null): void {
    if (t.model.state !== "queued") return;
    t.model.state = "running";
    t.model.started = at || new Date().toISOString();
    this.notify(t.path);
  }

  /** A display shown by any recent execution of the notebook (the latest of each cell) takes the new data. */
  private updateDisplays(path: string, event: Extract<OutputEvent, { kind: "update-display" }>): void {
    const latest = new Map<string, Tracked>();
    for (const t of this.byPath.get(path) ?? []) latest.set(t.model.cell_id, t);
    for (const t of latest.values()) {
      if (!t.outputs?.outputs.some((o) => o.displayId === event.displayId)) continue;
      t.outputs = applyBounded(t.outputs, event, this.opts.limits);
      this.changed(t);
    }
  }

  /** Stores the outputs at once for an ended execution, else within the throttle. */
  private changed(t: Tracked): void {
    if (t.ending) {
      void this.write(t);
      return;
    }
    if (t.timer || t.ending) return;
    t.timer = setTimeout(() => {
      t.timer = undefined;
      void this.write(t);
    }, this.opts.throttleMs);
  }

  private write(t: Tracked): Promise<void> {
    // A renamed notebook's outputs follow it: its session has the new path.
    const path = this.parts.sessions.pathOf(t.kernelId) ?? t.path;
    return this.writes.put(path, t.model.cell_id, (t.outputs ?? NO_OUTPUTS).outputs.map(toNbOutput), t.model.execution_count);
  }

  /** Reply and idle both in (or the kernel gone): the last write, then done. */
  private end(t: Tracked): void {
    if (t.ending) return;
    t.ending = true;
    clearTimeout(t.timer);
    t.timer = undefined;
    this.live.delete(t.model.id);
    t.model.ended = new Date().toISOString();
    // An adopted execution's reply is lost: its outputs tell how it ended.
    t.model.status ??= t.outputs?.outputs.some((o) => o.output_type === "error") ? "error" : "ok";
    void this.write(t).then(() => {
      t.model.state = "done";
      if (!t.outputs?.outputs.some((o) => o.displayId !== undefined)) t.outputs = null;
      this.notify(t.path);
    });
  }

  private abandon(kernelId: string): void {
    for (const t of [...this.live.values()]) {
      if (t.kernelId !== kernelId) continue;
      t.model.status ??= "aborted";
      this.end(t);
    }
  }

  private notify(path: string): void {
    for (const check of [...(this.watchers.get(path) ?? [])]) check();
  }
}
