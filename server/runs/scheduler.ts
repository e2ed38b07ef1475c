import { EventEmitter } from "node:events";
import pg from "pg";
import type { Db } from "../db/client.ts";
import { coerceError, DomainError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { parseContract } from "../../contracts/parse.ts";
import { dependencies, recipe as recipeSchema, type Step, type TaskInput } from "../../contracts/runs.ts";
import { partitionStep } from "./partition.ts";
import type { EnqueueSpec, Queue } from "../../queue/queue.ts";
import { reapLostAgents, orphanedWorkerIds } from "../../queue/sql/agents.ts";
import { settleRun, unsettledRuns } from "../../queue/sql/settle-run.ts";
import { lockRunSteps } from "../../queue/sql/expand-step.ts";
import { insertTasks } from "../../queue/sql/insert-tasks.ts";
import { transaction } from "../../queue/sql/queryable.ts";
import { recordEvent } from "../../queue/sql/events.ts";
import { failExhaustedTasks, tasksWithoutJob } from "../../queue/sql/repair.ts";

export interface SchedulerOptions {
  dataRoot: string;
  /** An agent whose heartbeat is older than this is lost; its jobs go to other agents. */
  agentLostAfterMs: number;
  /** How often the reaper looks for lost agents. */
  reapEveryMs: number;
  /** How often the slower repairs run (orphaned locks, tasks without jobs, waiting steps). */
  repairEveryMs: number;
}

/** Loops that give up after this many failures in a row only log louder; they never stop the server. */
const LOUD_AFTER = 5;

/**
 * The server's background work on runs: creates a waiting step's tasks when the steps it comes
 * after have succeeded (told by NOTIFY lightbook_runs, and checked periodically), reaps lost
 * agents (forceUnlockWorkers so their jobs are retried within seconds rather than graphile-worker's
 * 4 hours), and repairs gaps a crash can leave. Any live agent reaps too, so recovery does not
 * depend on the server being up.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private listener: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  /** "ended" (run id): a run ended, as agents announce it (NOTIFY); long-polling requests wait on it. */
  readonly events = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly queue: Queue,
    private readonly databaseUrl: string,
    private readonly opts: SchedulerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timers.push(setInterval(() => void this.guard("reap", () => this.reap()), this.opts.reapEveryMs));
    this.timers.push(setInterval(() => void this.guard("repair", () => this.repair()), this.opts.repairEveryMs));
    void this.listen();
    void this.guard("repair", () => this.repair());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.listener?.end().catch(() => undefined);
  }

  /** Lost agents: marked lost, running tasks requeued, job locks released. */
  async reap(): Promise<void> {
    const lost = await reapLostAgents(this.pool, this.opts.agentLostAfterMs);
    for (const a of lost) {
      await this.queue.forceUnlockWorkers(a.workerIds);
      this.log.warn({ agent: a.id, name: a.name, workerIds: a.workerIds }, "agent lost: its jobs were unlocked for other agents");
    }
  }

  async repair(): Promise<void> {
    const orphans = await orphanedWorkerIds(this.pool, this.opts.agentLostAfterMs * 3);
    if (orphans.length > 0) {
      await this.queue.forceUnlockWorkers(orphans);
      this.log.warn({ workerIds: orphans }, "unlocked jobs held by worker pools of no live agent");
    }
    const missing = await tasksWithoutJob(this.pool, 10_000);
    if (missing.length > 0) {
      await this.queue.enqueue(missing.map((t) => ({ ...t, priority: 0 })));
      this.log.warn({ tasks: missing.length }, "enqueued tasks that had no job");
    }
    const failed = await failExhaustedTasks(this.pool);
    for (const t of failed) this.log.warn({ run: t.runId, partition: t.partition }, "task failed: its last attempt's agent was lost");
    for (const runId of new Set([...failed.map((t) => t.runId), ...(await unsettledRuns(this.pool))])) await settleRun(this.pool, runId);
    const waiting = await this.db.run.findMany({ where: { state: { in: ["pending", "running"] }, stepsPending: { gt: 0 } }, select: { id: true } });
    // One run that cannot advance must not hold back the others behind it.
    for (const r of waiting) await this.guard("advance", () => this.advance(r.id));
  }

  /**
   * Creates the tasks of a run's waiting steps whose prerequisites all succeeded; a step that can
   * never run (a prerequisite had failed or cancelled tasks) ends the run as failed.
   */
  async advance(runId: string): Promise<void> {
    const run = await this.db.run.findUnique({ where: { id: runId }, select: { recipe: true, beamline: true, dataFolders: true } });
    if (!run) return;
    const recipe = parseContract(recipeSchema, run.recipe, `the recipe of run ${runId}`);
    const client = await this.pool.connect();
    let enqueue: EnqueueSpec[] = [];
    try {
      enqueue = await transaction(client, async () => {
        const state = await lockRunSteps(client, runId);
        if (!state || state.stepsPending === 0 || (state.state !== "pending" && state.state !== "running")) return [];
        let next = [...state.expanded.values()].reduce((n, s) => n + s.total, 0);
        const added: typeof enqueue = [];
        const waiting = recipe.steps.filter((s) => !state.expanded.has(s.id));
        const ready = waiting.filter((s) =>
          dependencies(s).every((d) => {
            const e = state.expanded.get(d);
            return e !== undefined && e.ended === e.total;
          }),
        );
        // A step after one with failed or cancelled tasks can never run: the run fails, no later step starts.
        const blocked = ready.find((s) => dependencies(s).some((d) => state.expanded.get(d)!.succeeded < state.expanded.get(d)!.total));
        if (blocked) {
          await client.query("update run set steps_pending = 0, error = coalesce(error, $2) where id = $1::uuid", [
            runId,
            `step ${blocked.id} did not run: a step it comes after had failed or cancelled tasks`,
          ]);
          this.log.warn({ run: runId, step: blocked.id }, "step cannot run: a step it comes after failed");
          return [];
        }
        // All ready steps are partitioned before any is inserted, so a step that cannot run leaves no tasks behind.
        const partitioned: { s: Step; inputs: TaskInput[] }[] = [];
        let planned = next;
        for (const s of ready) {
          try {
            const inputs = await partitionStep(s, { root: this.opts.dataRoot, folders: run.dataFolders }, planned);
            planned += inputs.length;
            partitioned.push({ s, inputs });
          } catch (e: unknown) {
            if (!(e instanceof DomainError)) throw e;
            // Its input changed since submission (a file gone, led out of the data root, or grown past the run's task cap): asking again will not help.
            await client.query("update run set steps_pending = 0, error = coalesce(error, $2) where id = $1::uuid", [
              runId,
              `step ${s.id} cannot start: ${e.message}`,
            ]);
            this.log.warn({ run: runId, step: s.id, err: e.message }, "step cannot start: the run fails");
            return [];
          }
        }
        for (const { s, inputs } of partitioned) {
          await insertTasks(
            client,
            runId,
            next,
            inputs.map((input) => ({ step: s.id, input, maxAttempts: s.max_attempts })),
          );
          for (let i = 0; i < inputs.length; i++)
            added.push({ runId, partition: next + i, maxAttempts: s.max_attempts, priority: s.priority, beamline: run.beamline });
          next += inputs.length;
          this.log.info({ run: runId, step: s.id, tasks: inputs.length }, "step ready: tasks created");
        }
        if (ready.length === 0) return [];
        await client.query("update run set total = total + $2::int, steps_pending = steps_pending - $3::int where id = $1::uuid", [
          runId,
          added.length,
          ready.length,
        ]);
        // Last in the transaction: the event table's lock is the last one taken (queue/sql/finish-task.ts).
        let first = next - added.length;
        for (const { s, inputs } of partitioned) {
          if (inputs.length > 0) await recordEvent(client, { kind: "run.tasks", run_id: runId, step: s.id, first, count: inputs.length });
          first += inputs.length;
        }
        return added;
      });
    } finally {
      client.release();
    }
    if (enqueue.length > 0) await this.queue.enqueue(enqueue);
    // A blocked step may have ended the run.
    await settleRun(this.pool, runId);
  }

  private async listen(): Promise<void> {
    while (!this.stopped) {
      const client = new pg.Client({ connectionString: this.databaseUrl });
      try {
        await client.connect();
        this.listener = client;
        client.on("notification", (n) => {
          if (n.channel !== "lightbook_runs" || !n.payload) return;
          const [what, runId] = n.payload.split(":");
          if (what === "advance" && runId) void this.guard("advance", () => this.advance(runId));
          if (what === "ended" && runId) this.events.emit("ended", runId);
        });
        await client.query("listen lightbook_runs");
        await new Promise<void>((resolve) => {
          // `on`, not `once`: a dying connection can emit a second error (while the server stops
          // its database, say), and an error event without a listener ends the process.
          client.on("error", () => resolve());
          client.once("end", () => resolve());
        });
      } catch (e: unknown) {
        this.log.debug({ err: coerceError(e).message }, "scheduler listen connection failed");
      }
      await client.end().catch(() => undefined);
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.failures = 0;
    } catch (e: unknown) {
      this.failures += 1;
      const fields = { what, failures: this.failures, err: coerceError(e).message };
      if (this.failures >= LOUD_AFTER) this.log.error(fields, "scheduler keeps failing");
      else this.log.warn(fields, "scheduler step failed; retrying");
    }
  }
}
