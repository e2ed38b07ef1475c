/**
 * A node agent: registers in `agent`, heartbeats with the database's clock, runs a
 * graphile-worker runner whose jobs are Lightbook tasks, and reaps lost agents like the server
 * does, so a dead agent's jobs come back even while the server is down.
 *
 * Found lost itself (it stopped heartbeating long enough that another process released its jobs),
 * it aborts what it runs (those results would be refused anyway), drops its runner and registers
 * again under a new id.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import os from "node:os";
import { makeWorkerUtils, run, type Runner, type WorkerEvents, type WorkerUtils } from "graphile-worker";
import pLimit, { type LimitFunction } from "p-limit";
import pg from "pg";
import { VERSION } from "../runtime/version.ts";
import { coerceError } from "../runtime/errors.ts";
import type { Logger } from "../runtime/log.ts";
import { TASK_IDENTIFIER, workerLogger } from "../queue/queue.ts";
import { heartbeat, reapLostAgents, registerAgent, setAgentState } from "../queue/sql/agents.ts";
import type { AgentOptions } from "./options.ts";
import { SandboxPool } from "./sandbox/sandbox-pool.ts";
import { makeTaskHandler, type RunningTask, type StopReason } from "./task-handler.ts";
import type { ExecuteContext } from "./execute.ts";
import { commandLaunch } from "./sandbox/launch.ts";
import { beamlinesOf, Placement } from "./placement.ts";

/** Graceful stop waits for running jobs as long as they take (the queue's default aborts them after 5 s). */
const FINISH_RUNNING_JOBS_MS = 7 * 24 * 3600_000;
/**
 * graphile-worker's batching (measured in bench/workflow.ts): the pool fetches and locks jobs in
 * batches of `concurrency + prefetch`, so a worker that ends a job takes the next without a round
 * trip, and completions in the same tick go in one statement. The agent also runs `prefetch` jobs
 * beyond its compute slots (task-handler.ts), so starting and storing tasks overlaps other tasks'
 * work. Jobs locked ahead are released on a graceful stop, and with the rest by
 * forceUnlockWorkers when the agent is lost. A job held ahead waits for this agent while another
 * may idle: for long tasks, prefetch 0 (LIGHTBOOK_AGENT_PREFETCH=0).
 */
export const QUEUE_TUNING = (concurrency: number, prefetch = 1) => ({
  ...(concurrency + prefetch > 1 && prefetch > 0 ? { localQueue: { size: concurrency + prefetch } } : {}),
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
});

/**
 * PostgreSQL connections per agent, whatever its concurrency: its own (heartbeats, results) and the
 * queue runner's (LISTEN, batched fetches and completions; running jobs hold none). Sixteen agents
 * with 4 slots then fit PostgreSQL's default max_connections (100) beside the server
 * (bench/scale-out.ts; with one connection per slot they did not, and the server's queries failed).
 */
const AGENT_POOL_SIZE = 2;
const QUEUE_POOL_SIZE = 3;

/** After a second signal, how long aborted jobs get to record their failure before the runner is killed. */
const FORCEFUL_GRACE_MS = 3000;

export class Agent {
  #id = "";
  #runner: Runner | undefined;
  #slots: LimitFunction | undefined;
  #utils: WorkerUtils | undefined;
  #sandbox: SandboxPool | undefined;
  #programs: ExecuteContext["programs"] | undefined;
  readonly #pool: pg.Pool;
  readonly #placement: Placement;
  readonly #running = new Map<string, RunningTask>();
  readonly #stats = { completed: 0, failed: 0 };
  readonly #timers: NodeJS.Timeout[] = [];
  #stopping: "graceful" | "forceful" | undefined;
  #relaunching = false;
  #heartbeatFailures = 0;

  constructor(
    private readonly opts: AgentOptions,
    private readonly log: Logger,
  ) {
    this.#pool = new pg.Pool({ connectionString: opts.databaseUrl, max: AGENT_POOL_SIZE });
    // Connections killed under us (database restart, pg_terminate_backend): logged, and the pool opens new ones.
    this.#pool.on("error", (e) => log.warn({ err: e.message }, "database connection lost"));
    this.#pool.on("connect", (client) => client.on("error", (e) => log.warn({ err: e.message }, "database connection lost")));
    this.#placement = new Placement(beamlinesOf(opts.tags), this.#pool);
  }

  get id(): string {
    return this.#id;
  }

  async start(): Promise<void> {
    this.#sandbox = new SandboxPool({ dataRoot: this.opts.dataRoot, maxIdle: this.opts.concurrency, user: this.opts.sandboxUser, log: this.log });
    if (this.#placement.restricted) this.log.info({ beamlines: this.#placement.beamlines }, "restricted to the jobs of these beamlines' proposals");
    const hidden = [this.opts.dataRoot, ...(this.opts.resultsRoot ? [this.opts.resultsRoot] : [])];
    const launch = commandLaunch(this.opts.sandboxUser, hidden);
    this.#programs = { list: this.opts.programs, launch, tags: this.opts.tags };
    if (this.opts.programs.size > 0) this.log.info({ programs: [...this.opts.programs.keys()], isolation: launch.layers }, "allow-listed programs");
    this.#utils = await makeWorkerUtils({ pgPool: this.#pool, logger: workerLogger(this.log) });
    await this.#utils.migrate();
    await this.#launch();
    this.#timers.push(setInterval(() => void this.#heartbeat(), this.opts.heartbeatMs));
    this.#timers.push(setInterval(() => void this.#reap(), this.opts.reapEveryMs));
  }

  /** Registers a new agent row and starts a runner for it. */
  async #launch(): Promise<void> {
    const id = randomUUID();
    await registerAgent(this.#pool, {
      id,
      name: this.opts.name,
      host: os.hostname(),
      pid: process.pid,
      cores: os.availableParallelism(),
      version: VERSION,
      tags: this.opts.tags,
      concurrency: this.opts.concurrency,
    });
    const events: WorkerEvents = new EventEmitter();
    const poolIds: string[] = [];
    events.on("pool:create", ({ workerPool }) => poolIds.push(workerPool.id));
    const log = this.log.child({ agent: id });
    const slots = pLimit({ concurrency: this.opts.concurrency, rejectOnClear: true });
    let runner: Runner;
    try {
      runner = await run({
        connectionString: this.opts.databaseUrl,
        concurrency: this.opts.concurrency + this.opts.prefetch,
        maxPoolSize: QUEUE_POOL_SIZE,
        noHandleSignals: true,
        crontab: "",
        // Jobs unlocked from a lost agent are not announced by NOTIFY; this bounds their pickup delay.
        pollInterval: 1000,
        gracefulShutdownAbortTimeout: FINISH_RUNNING_JOBS_MS,
        // A restricted agent fetches one job at a time: graphile-worker's local queue would fetch (and lock) jobs ignoring forbidden flags.
        preset: { worker: QUEUE_TUNING(this.opts.concurrency, this.#placement.restricted ? 0 : this.opts.prefetch) },
        logger: workerLogger(log),
        events,
        // Restricted to beamlines: other beamlines' jobs are skipped (placement.ts).
        forbiddenFlags: this.#placement.forbiddenFlags() ?? null,
        taskList: {
          [TASK_IDENTIFIER]: makeTaskHandler({
            pool: this.#pool,
            agentId: () => id,
            dataRoot: this.opts.dataRoot,
            resultsRoot: this.opts.resultsRoot,
            sandbox: this.#sandbox!,
            programs: this.#programs!,
            log,
            running: this.#running,
            stats: this.#stats,
            slots,
            draining: () => this.#stopping !== undefined,
            placement: this.#placement,
            runUidBase: this.#sandbox!.asAccounts ? this.opts.runUidBase : undefined,
          }),
        },
      });
    } catch (e: unknown) {
      // No runner: this row must not look alive. The previous id (if any) stays, so a lost agent retries.
      await setAgentState(this.#pool, id, "stopped", ["running", "stopping"]).catch(() => undefined);
      throw e;
    }
    this.#runner = runner;
    this.#slots = slots;
    this.#id = id;
    // Jobs this agent locks carry its pool id; a reaper releases them by it (forceUnlockWorkers).
    await this.#pool.query("update agent set worker_ids = $2::text[] where id = $1::uuid", [id, poolIds]);
    log.info({ name: this.opts.name, concurrency: this.opts.concurrency, tags: this.opts.tags, workerIds: poolIds }, "agent registered");
  }

  async #heartbeat(): Promise<void> {
    if (this.#relaunching || !this.#id) return;
    let state: string | null;
    try {
      state = await heartbeat(this.#pool, this.#id, { running: this.#running.size, ...this.#stats });
      this.#heartbeatFailures = 0;
    } catch (e: unknown) {
      this.#heartbeatFailures += 1;
      // Keep trying: the database may be restarting. Once back, a lost agent registers again.
      this.log[this.#heartbeatFailures >= 5 ? "error" : "warn"](
        { agent: this.#id, failures: this.#heartbeatFailures, err: coerceError(e).message },
        "heartbeat failed",
      );
      return;
    }
    if ((state === "lost" || state === null) && !this.#stopping) {
      await this.#relaunch();
      return;
    }
    await this.#abortCancelled();
  }

  /** Stops the running tasks of runs cancelled since they started. */
  async #abortCancelled(): Promise<void> {
    if (this.#running.size === 0) return;
    const runIds = [...new Set([...this.#running.values()].map((t) => t.ref.runId))];
    const { rows } = await this.#pool
      .query<{ id: string }>("select id from run where id = any($1::uuid[]) and state = 'cancelled'", [runIds])
      .catch(() => ({ rows: [] }));
    const cancelled = new Set(rows.map((r) => r.id));
    for (const t of this.#running.values()) if (cancelled.has(t.ref.runId)) t.controller.abort("cancelled" satisfies StopReason);
  }

  async #relaunch(): Promise<void> {
    this.#relaunching = true;
    try {
      this.log.warn(
        { agent: this.#id, running: this.#running.size },
        "this agent was found lost and its jobs released: aborting its tasks and registering again",
      );
      for (const t of this.#running.values()) t.controller.abort("lost" satisfies StopReason);
      this.#slots?.clearQueue();
      const runner = this.#runner;
      this.#runner = undefined;
      await Promise.resolve(runner?.kill("agent found lost")).catch(() => undefined);
      await this.#launch();
    } catch (e: unknown) {
      this.log.error({ err: coerceError(e).message }, "registering again failed; retrying at the next heartbeat");
    } finally {
      this.#relaunching = false;
    }
  }

  async #reap(): Promise<void> {
    if (this.#stopping) return;
    try {
      const lost = await reapLostAgents(this.#pool, this.opts.lostAfterMs);
      for (const a of lost) {
        await this.#utils!.forceUnlockWorkers(a.workerIds);
        this.log.warn({ lostAgent: a.id, name: a.name, workerIds: a.workerIds }, "agent lost: its jobs were unlocked for other agents");
      }
    } catch (e: unknown) {
      this.log.debug({ err: coerceError(e).message }, "reaping failed");
    }
  }

  /**
   * First call: stop taking jobs and let running ones finish. Second call: abort them (they are
   * recorded as failed attempts, so the queue retries them elsewhere) and leave.
   */
  async stop(): Promise<void> {
    if (this.#stopping === "graceful") return this.#forceful();
    if (this.#stopping) return;
    this.#stopping = "graceful";
    this.log.info({ agent: this.#id, running: this.#running.size }, "stopping: running jobs finish, no new ones are taken (signal again to abort them)");
    await setAgentState(this.#pool, this.#id, "stopping", ["running"]).catch(() => undefined);
    // Jobs waiting for a slot go back to the queue now, for other agents.
    this.#slots?.clearQueue();
    await this.#runner?.stop().catch(() => undefined);
    await this.#finish();
  }

  async #forceful(): Promise<void> {
    this.#stopping = "forceful";
    this.log.warn({ agent: this.#id, running: this.#running.size }, "stopping now: aborting running jobs for retry");
    for (const t of this.#running.values()) t.controller.abort("shutdown" satisfies StopReason);
    const settled = new Promise((r) => setTimeout(r, FORCEFUL_GRACE_MS).unref());
    await Promise.race([this.#runner?.promise.catch(() => undefined), settled]);
    await this.#runner?.kill("second signal").catch(() => undefined);
    await this.#finish();
  }

  async #finish(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await heartbeat(this.#pool, this.#id, { running: 0, ...this.#stats }).catch(() => undefined);
    await setAgentState(this.#pool, this.#id, "stopped", ["running", "stopping"]).catch(() => undefined);
    await Promise.resolve(this.#utils?.release()).catch(() => undefined);
    await this.#sandbox?.close();
    await this.#pool.end().catch(() => undefined);
  }
}
