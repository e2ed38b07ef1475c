import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/client.ts";
import { HttpError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { dependencies, type CreateRunBody, type Recipe, type ResultModel, type RunModel, type RunState, type TaskInput, type TaskModel, type TaskState } from "./model.ts";
import { partitionStep } from "./partition.ts";
import type { Queue } from "./queue.ts";
import type { Scheduler } from "./scheduler.ts";
import { resultForWire } from "./result-codec.ts";
import { insertTasks } from "./sql/insert-tasks.ts";
import { transaction } from "./sql/queryable.ts";
import { readResults } from "./sql/results.ts";

export interface RunManagerOptions {
  dataRoot: string;
  resultsRoot: string | undefined;
}

type RunRow = Prisma.RunGetPayload<object>;

const UNIQUE_VIOLATION = "23505";

/** Creates runs from recipes, reads their state and results, cancels them. Postgres holds the truth. */
export class RunManager {
  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly queue: Queue,
    private readonly scheduler: Scheduler,
    private readonly opts: RunManagerOptions,
    private readonly log: Logger,
  ) {}

  /**
   * A new run, or the run that already has this idempotency key (`created: false`). The run and
   * the tasks of its first steps are one transaction; their jobs are enqueued after it commits (a
   * gap the scheduler's repair closes if the server stops in between).
   */
  async create(body: CreateRunBody, headerKey: string | undefined): Promise<{ run: RunModel; created: boolean }> {
    const key = body.key ?? headerKey ?? null;
    if (key !== null) {
      const existing = await this.db.run.findUnique({ where: { key } });
      if (existing) return { run: await this.get(existing.id, { tasks: false }), created: false };
    }
    const recipe = body.recipe;
    const ready = recipe.steps.filter((s) => dependencies(s).length === 0);
    const tasks: { step: string; input: TaskInput; maxAttempts: number; priority: number }[] = [];
    for (const s of ready) {
      for (const input of await partitionStep(s, this.opts.dataRoot)) tasks.push({ step: s.id, input, maxAttempts: s.max_attempts, priority: s.priority });
    }
    // On a client of the pool rather than a Prisma interactive transaction: a one-task map waits for this.
    const fields = { id: randomUUID(), key, name: body.name, recipe: recipe as Prisma.JsonValue, total: tasks.length, stepsPending: recipe.steps.length - ready.length };
    let run: RunRow;
    const client = await this.pool.connect();
    try {
      run = await transaction(client, async () => {
        const { rows } = await client.query<{ created_at: Date }>(
          "insert into run (id, key, name, recipe, total, steps_pending) values ($1::uuid, $2, $3, $4::jsonb, $5::int, $6::int) returning created_at",
          [fields.id, key, body.name, JSON.stringify(recipe), fields.total, fields.stepsPending],
        );
        await insertTasks(client, fields.id, 0, tasks);
        return { ...fields, state: "pending", succeeded: 0, failed: 0, cancelled: 0, createdAt: rows[0]!.created_at, startedAt: null, finishedAt: null, error: null };
      });
    } catch (e: unknown) {
      // Two submissions with one key at once: the second loses the unique index, and gets the first's run.
      if (key !== null && e instanceof pg.DatabaseError && e.code === UNIQUE_VIOLATION) {
        const existing = await this.db.run.findUnique({ where: { key } });
        if (existing) return { run: await this.get(existing.id, { tasks: false }), created: false };
      }
      throw e;
    } finally {
      client.release();
    }
    this.log.info({ run: run.id, idempotencyKey: key, tasks: tasks.length, steps: recipe.steps.length }, "run created");
    try {
      await this.queue.enqueue(tasks.map((t, partition) => ({ runId: run.id, partition, maxAttempts: t.maxAttempts, priority: t.priority })));
    } catch (e: unknown) {
      this.log.error({ run: run.id, err: e }, "enqueueing the run's jobs failed; the scheduler's repair will retry");
    }
    // The run as created (no second read): all its tasks are queued.
    const model = runModel(run, { queued: tasks.length, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
    model.recipe = recipe;
    return { run: model, created: true };
  }

  async list(opts: { limit: number; state?: RunState }): Promise<RunModel[]> {
    const runs = await this.db.run.findMany({ where: opts.state ? { state: opts.state } : {}, orderBy: { createdAt: "desc" }, take: opts.limit });
    const counts = await this.counts(runs.map((r) => r.id));
    return runs.map((r) => runModel(r, counts.get(r.id)));
  }

  async get(id: string, opts: { tasks: boolean; recipe?: boolean; tasksAfter?: number; tasksLimit?: number }): Promise<RunModel> {
    const run = await this.find(id);
    const counts = await this.counts([run.id]);
    const model = runModel(run, counts.get(run.id));
    if (model.counts.failed > 0 && model.error === null) {
      // Say which tasks failed and why, without making the user open the task table.
      const failed = await this.db.task.findMany({ where: { runId: id, state: "failed" }, orderBy: { partition: "asc" }, take: 3, select: { partition: true, error: true } });
      model.error = `${model.counts.failed} of ${run.total} tasks failed; ` + failed.map((t) => `partition ${t.partition}: ${t.error ?? "no error recorded"}`).join("; ");
    }
    if (opts.recipe !== false) model.recipe = run.recipe as Recipe;
    if (opts.tasks) {
      const tasks = await this.db.task.findMany({
        where: { runId: id, partition: { gt: opts.tasksAfter ?? -1 } },
        orderBy: { partition: "asc" },
        take: opts.tasksLimit ?? 10_000,
        include: { agent: { select: { name: true } } },
      });
      model.tasks = tasks.map(
        (t): TaskModel => ({
          partition: t.partition,
          step: t.step,
          input: t.input as TaskInput,
          state: t.state,
          attempt: t.attempt,
          max_attempts: t.maxAttempts,
          agent_id: t.agentId,
          agent_name: t.agent?.name ?? null,
          created_at: t.createdAt.toISOString(),
          started_at: t.startedAt?.toISOString() ?? null,
          finished_at: t.finishedAt?.toISOString() ?? null,
          error: t.error,
        }),
      );
    }
    return model;
  }

  /**
   * The run once it has ended, or after `waitMs` (long polling: a client learns of the end at
   * once, without polling fast). Agents announce ends with NOTIFY; the wait is capped anyway.
   */
  async waitForEnd(id: string, waitMs: number): Promise<void> {
    const run = await this.find(id);
    if (run.state !== "pending" && run.state !== "running") return;
    await new Promise<void>((resolve) => {
      const onEnded = (runId: string) => {
        if (runId === id) done();
      };
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        events.off("ended", onEnded);
        resolve();
      }
      const events = this.scheduler.events;
      events.on("ended", onEnded);
    });
  }

  /** Results in partition order, a page at a time (`after` the last partition seen); `binary`: arrays as their bytes. */
  async results(id: string, opts: { step?: string; after?: number; limit: number; binary?: boolean }): Promise<{ results: ResultModel[]; next_after: number | null }> {
    await this.find(id);
    const rows = await readResults(this.pool, id, opts);
    const results: ResultModel[] = [];
    for (const r of rows) {
      results.push({
        partition: r.partition,
        step: r.step,
        attempt: r.attempt,
        agent_id: r.agent_id,
        ...(await resultForWire(r, this.opts.resultsRoot, opts.binary ?? false)),
        dtype: r.dtype,
        shape: r.shape ?? [],
        sha256: r.sha256,
        size: r.size,
      });
    }
    return { results, next_after: rows.length === opts.limit ? rows.at(-1)!.partition : null };
  }

  /**
   * Cancels a run: its queued tasks are cancelled and their jobs removed; running tasks are
   * stopped by their agents (which check for cancelled runs as they heartbeat).
   */
  async cancel(id: string): Promise<RunModel> {
    const partitions = await this.db.$transaction(async (tx) => {
      const [run] = await tx.$queryRaw<{ state: RunState }[]>`select state from run where id = ${id}::uuid for update`;
      if (!run) throw new HttpError(404, `Run not found: ${id}`, "Not Found");
      if (run.state !== "pending" && run.state !== "running") return [];
      const queued = await tx.task.findMany({ where: { runId: id, state: "queued" }, select: { partition: true } });
      await tx.task.updateMany({ where: { runId: id, state: "queued" }, data: { state: "cancelled", finishedAt: new Date(), error: "cancelled" } });
      // Counted like tasks that end on agents (finish-task.ts), so the run's counters hold every ended task.
      await tx.run.update({ where: { id }, data: { state: "cancelled", finishedAt: new Date(), stepsPending: 0, cancelled: { increment: queued.length } } });
      return queued.map((t) => t.partition);
    });
    if (partitions.length > 0) await this.queue.remove(id, partitions);
    this.scheduler.events.emit("ended", id);
    this.log.info({ run: id, cancelled: partitions.length }, "run cancelled");
    return this.get(id, { tasks: false });
  }

  private async find(id: string): Promise<RunRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new HttpError(404, `Run not found: ${id}`, "Not Found");
    const run = await this.db.run.findUnique({ where: { id } });
    if (!run) throw new HttpError(404, `Run not found: ${id}`, "Not Found");
    return run;
  }

  /** Tasks by state, per run (one indexed query on task(run_id, state)). */
  private async counts(ids: string[]): Promise<Map<string, Record<TaskState, number>>> {
    const counts = new Map<string, Record<TaskState, number>>();
    if (ids.length === 0) return counts;
    const rows = await this.db.task.groupBy({ by: ["runId", "state"], where: { runId: { in: ids } }, _count: { _all: true } });
    for (const r of rows) {
      const c = counts.get(r.runId) ?? { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      c[r.state] = r._count._all;
      counts.set(r.runId, c);
    }
    return counts;
  }
}

function runModel(r: RunRow, c: Record<TaskState, number> | undefined): RunModel {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    state: r.state,
    counts: { total: r.total, queued: c?.queued ?? 0, running: c?.running ?? 0, succeeded: c?.succeeded ?? 0, failed: c?.failed ?? 0, cancelled: c?.cancelled ?? 0 },
    steps_pending: r.stepsPending,
    created_at: r.createdAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    error: r.error,
  };
}

export type { TaskState };
