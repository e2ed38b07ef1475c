import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/client.ts";
import { DomainError, InvalidInputError, NotFoundDomainError } from "../../runtime/errors.ts";
import type { Logger } from "../../runtime/log.ts";
import { parseContract } from "../../contracts/parse.ts";
import {
  MAX_APPENDED_TASKS,
  dependencies,
  recipe as recipeSchema,
  taskInput,
  type AppendTasksBody,
  type AppendedTasks,
  type CreateRunBody,
  type ResultModel,
  type RunModel,
  type RunState,
  type TaskInput,
  type TaskModel,
  type TaskState,
} from "../../contracts/runs.ts";
import { MAX_TASKS_PER_RUN, partitionStep } from "./partition.ts";
import type { Queue } from "../../queue/queue.ts";
import type { Scheduler } from "./scheduler.ts";
import { resultForWire } from "../../queue/result-codec.ts";
import { insertTasks } from "../../queue/sql/insert-tasks.ts";
import { transaction } from "../../queue/sql/queryable.ts";
import { readResults } from "../../queue/sql/results.ts";
import { recordEvent, runEvents } from "../../queue/sql/events.ts";
import { settleRun } from "../../queue/sql/settle-run.ts";
import { checkProgramSteps, type Programs } from "../../queue/programs.ts";
import type { RunScope } from "../auth/authorizer.ts";

/** Who submitted a run, and the proposal it belongs to (issue 13, item 3). */
export interface RunOwnership {
  ownerId: string | null;
  proposalId: string | null;
}

/** A new run's owners and scope (where its tasks go, what they read). */
export type RunPlacement = RunOwnership & RunScope;

export interface RunManagerOptions {
  dataRoot: string;
  resultsRoot: string | undefined;
  /** The allow-list program steps are checked against. */
  programs: Programs;
}

type RunRow = Prisma.RunGetPayload<object>;

const UNIQUE_VIOLATION = "23505";

/** Creates runs from recipes, reads their state and results, cancels them. Postgres holds the truth. */
export class RunManager {
  private readonly owners = new Map<string, RunOwnership>();
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
  async create(body: CreateRunBody, headerKey: string | undefined, placement: RunPlacement): Promise<{ run: RunModel; created: boolean }> {
    const key = body.key ?? headerKey ?? null;
    if (key !== null) {
      const existing = await this.db.run.findUnique({ where: { key } });
      if (existing) return { run: await this.get(existing.id, { tasks: false }), created: false };
    }
    const recipe = body.recipe;
    checkProgramSteps(this.opts.programs, recipe);
    const ready = recipe.steps.filter((s) => dependencies(s).length === 0);
    // A later step of an open run would have to wait for input that may still come: not supported (yet).
    if (body.open && ready.length < recipe.steps.length)
      throw new InvalidInputError("an open run's steps cannot come after other steps (no `after`, no `results` input)");
    const tasks: { step: string; input: TaskInput; maxAttempts: number; priority: number }[] = [];
    // Every step is partitioned now, so a run over the task cap (all steps together) is refused before it starts;
    // the later steps are partitioned again when they are ready.
    let count = 0;
    for (const s of recipe.steps) {
      const inputs = await partitionStep(s, { root: this.opts.dataRoot, folders: placement.dataFolders }, count);
      count += inputs.length;
      if (ready.includes(s)) for (const input of inputs) tasks.push({ step: s.id, input, maxAttempts: s.max_attempts, priority: s.priority });
    }
    // On a client of the pool rather than a Prisma interactive transaction: a one-task map waits for this.
    const fields = {
      id: randomUUID(),
      key,
      name: body.name,
      recipe: recipe as Prisma.JsonValue,
      total: tasks.length,
      stepsPending: recipe.steps.length - ready.length,
      open: body.open,
      ...placement,
    };
    let run: RunRow;
    const client = await this.pool.connect();
    try {
      run = await transaction(client, async () => {
        const { rows } = await client.query<{ created_at: Date }>(
          "insert into run (id, key, name, recipe, total, steps_pending, open, owner_id, proposal_id, beamline, data_folders) values ($1::uuid, $2, $3, $4::jsonb, $5::int, $6::int, $7, $8::uuid, $9::uuid, $10, $11::text[]) returning created_at",
          [
            fields.id,
            key,
            body.name,
            JSON.stringify(recipe),
            fields.total,
            fields.stepsPending,
            fields.open,
            placement.ownerId,
            placement.proposalId,
            placement.beamline,
            placement.dataFolders,
          ],
        );
        await insertTasks(client, fields.id, 0, tasks);
        // Last in the transaction: the event table's lock is the last one taken (queue/sql/finish-task.ts).
        await recordEvent(client, { kind: "run.state", run_id: fields.id, state: "pending", open: fields.open, total: fields.total });
        return {
          ...fields,
          state: "pending",
          succeeded: 0,
          failed: 0,
          cancelled: 0,
          createdAt: rows[0]!.created_at,
          startedAt: null,
          finishedAt: null,
          error: null,
        };
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
    this.remember(run.id, { ownerId: placement.ownerId, proposalId: placement.proposalId });
    try {
      await this.queue.enqueue(
        tasks.map((t, partition) => ({ runId: run.id, partition, maxAttempts: t.maxAttempts, priority: t.priority, beamline: placement.beamline })),
      );
    } catch (e: unknown) {
      this.log.error({ run: run.id, err: e }, "enqueueing the run's jobs failed; the scheduler's repair will retry");
    }
    // The run as created (no second read): all its tasks are queued.
    const model = runModel(run, { queued: tasks.length, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
    model.recipe = recipe;
    return { run: model, created: true };
  }

  /** The newest runs; `reach` (a non-admin's): only theirs and their proposals'. */
  async list(opts: { limit: number; state?: RunState; reach?: { userId: string; proposalIds: string[] } }): Promise<RunModel[]> {
    const reach = opts.reach ? { OR: [{ ownerId: opts.reach.userId }, { proposalId: { in: opts.reach.proposalIds } }] } : {};
    const runs = await this.db.run.findMany({
      where: { ...reach, ...(opts.state ? { state: opts.state } : {}) },
      orderBy: { createdAt: "desc" },
      take: opts.limit,
    });
    const counts = await this.counts(runs.map((r) => r.id));
    return runs.map((r) => runModel(r, counts.get(r.id)));
  }

  async get(id: string, opts: { tasks: boolean; recipe?: boolean; tasksAfter?: number; tasksLimit?: number }): Promise<RunModel> {
    const run = await this.find(id);
    const counts = await this.counts([run.id]);
    const model = runModel(run, counts.get(run.id));
    if (model.counts.failed > 0 && model.error === null) {
      // Say which tasks failed and why, without making the user open the task table.
      const failed = await this.db.task.findMany({
        where: { runId: id, state: "failed" },
        orderBy: { partition: "asc" },
        take: 3,
        select: { partition: true, error: true },
      });
      model.error =
        `${model.counts.failed} of ${run.total} tasks failed; ` + failed.map((t) => `partition ${t.partition}: ${t.error ?? "no error recorded"}`).join("; ");
    }
    if (opts.recipe !== false) model.recipe = parseContract(recipeSchema, run.recipe, `the recipe of run ${id}`);
    if (opts.tasks) {
      const tasks = await this.db.task.findMany({
        where: { runId: id, partition: { gt: opts.tasksAfter ?? -1 } },
        orderBy: { partition: "asc" },
        take: opts.tasksLimit ?? 10_000,
        include: { agent: { select: { name: true } } },
      });
      model.tasks = tasks.map((t): TaskModel => ({
        partition: t.partition,
        step: t.step,
        input: parseContract(taskInput, t.input, `the input of task ${id}:${t.partition}`),
        state: t.state,
        attempt: t.attempt,
        max_attempts: t.maxAttempts,
        agent_id: t.agentId,
        agent_name: t.agent?.name ?? null,
        created_at: t.createdAt.toISOString(),
        started_at: t.startedAt?.toISOString() ?? null,
        finished_at: t.finishedAt?.toISOString() ?? null,
        error: t.error,
      }));
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
  async results(
    id: string,
    opts: { step?: string; after?: number; limit: number; binary?: boolean },
  ): Promise<{ results: ResultModel[]; next_after: number | null }> {
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
      if (!run) throw new NotFoundDomainError(`Run not found: ${id}`);
      if (run.state !== "pending" && run.state !== "running") return [];
      const queued = await tx.task.findMany({ where: { runId: id, state: "queued" }, select: { partition: true } });
      await tx.task.updateMany({ where: { runId: id, state: "queued" }, data: { state: "cancelled", finishedAt: new Date(), error: "cancelled" } });
      // Counted like tasks that end on agents (finish-task.ts), so the run's counters hold every ended task.
      const r = await tx.run.update({
        where: { id },
        data: { state: "cancelled", finishedAt: new Date(), stepsPending: 0, cancelled: { increment: queued.length } },
      });
      await recordEvent(tx, { kind: "run.state", run_id: id, state: "cancelled", open: r.open, total: r.total });
      return queued.map((t) => t.partition);
    });
    if (partitions.length > 0) await this.queue.remove(id, partitions);
    this.scheduler.events.emit("ended", id);
    this.log.info({ run: id, cancelled: partitions.length }, "run cancelled");
    return this.get(id, { tasks: false });
  }

  /**
   * More tasks for an open run: `body.input` split by the step's chunk, numbered after the run's
   * last partition. Partitioned (files checked) before the run row is locked; the tasks, the new
   * total and the `run.tasks` event are one transaction, so a refused append stores nothing. The
   * jobs are enqueued after it commits (the scheduler's repair closes the gap if the server stops).
   */
  async appendTasks(id: string, body: AppendTasksBody): Promise<AppendedTasks> {
    const run = await this.find(id);
    const recipe = parseContract(recipeSchema, run.recipe, `the recipe of run ${id}`);
    const step = body.step === undefined ? recipe.steps[0]! : recipe.steps.find((s) => s.id === body.step);
    if (!step) throw new InvalidInputError(`run ${id} has no step ${JSON.stringify(body.step)}; its steps are ${recipe.steps.map((s) => s.id).join(", ")}`);
    if (body.input.kind === "results") throw new InvalidInputError("appended input cannot be an earlier step's results");
    refuseUnlessOpen(run);
    const inputs = await partitionStep({ ...step, input: body.input }, { root: this.opts.dataRoot, folders: run.dataFolders }, run.total);
    if (inputs.length > MAX_APPENDED_TASKS)
      throw new DomainError(
        "too_large",
        `this append makes ${inputs.length} tasks; one append makes at most ${MAX_APPENDED_TASKS}: send smaller batches or raise the step's chunk`,
      );
    const client = await this.pool.connect();
    let first: number;
    try {
      first = await transaction(client, async () => {
        const { rows } = await client.query<{ state: RunState; open: boolean; total: number }>(
          "select state, open, total from run where id = $1::uuid for update",
          [id],
        );
        const locked = rows[0]!;
        refuseUnlessOpen({ id, ...locked });
        if (locked.total + inputs.length > MAX_TASKS_PER_RUN)
          throw new InvalidInputError(`run ${id} has ${locked.total} tasks; ${inputs.length} more would pass the ${MAX_TASKS_PER_RUN} a run makes at most`);
        await insertTasks(
          client,
          id,
          locked.total,
          inputs.map((input) => ({ step: step.id, input, maxAttempts: step.max_attempts })),
        );
        await client.query("update run set total = total + $2::int where id = $1::uuid", [id, inputs.length]);
        await recordEvent(client, { kind: "run.tasks", run_id: id, step: step.id, first: locked.total, count: inputs.length });
        return locked.total;
      });
    } finally {
      client.release();
    }
    try {
      await this.queue.enqueue(
        inputs.map((_, i) => ({ runId: id, partition: first + i, maxAttempts: step.max_attempts, priority: step.priority, beamline: run.beamline })),
      );
    } catch (e: unknown) {
      this.log.error({ run: id, err: e }, "enqueueing appended jobs failed; the scheduler's repair will retry");
    }
    return { first, count: inputs.length };
  }

  /** Closes an open run: it takes no more tasks and ends when its tasks have (at once if they all have). Closing a closed run changes nothing. */
  async close(id: string): Promise<RunModel> {
    await this.find(id);
    await this.pool.query(
      `with r as (update run set open = false where id = $1::uuid and open returning id, state, open, total), e as (${runEvents("r")}) select 1`,
      [id],
    );
    await settleRun(this.pool, id);
    return this.get(id, { tasks: false });
  }

  /** A proposal a run may name, as its scope needs it (for admins, who reach every proposal without holding them). */
  proposal(id: string): Promise<{ dataFolder: string; embargo: Date | null; beamline: string } | null> {
    return this.db.proposal.findUnique({ where: { id }, select: { dataFolder: true, embargo: true, beamline: true } });
  }

  /**
   * Whose the run is (404 for an unknown one): what the authorizer decides on, for every request
   * on the run. Kept in memory (bounded): a run's owner and proposal never change.
   */
  async ownership(id: string): Promise<RunOwnership> {
    const known = this.owners.get(id);
    if (known) return known;
    const { ownerId, proposalId } = await this.find(id);
    return this.remember(id, { ownerId, proposalId });
  }

  private remember(id: string, o: RunOwnership): RunOwnership {
    if (this.owners.size >= 10_000) this.owners.clear();
    this.owners.set(id, o);
    return o;
  }

  private async find(id: string): Promise<RunRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundDomainError(`Run not found: ${id}`);
    const run = await this.db.run.findUnique({ where: { id } });
    if (!run) throw new NotFoundDomainError(`Run not found: ${id}`);
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
    open: r.open,
    counts: {
      total: r.total,
      queued: c?.queued ?? 0,
      running: c?.running ?? 0,
      succeeded: c?.succeeded ?? 0,
      failed: c?.failed ?? 0,
      cancelled: c?.cancelled ?? 0,
    },
    steps_pending: r.stepsPending,
    created_at: r.createdAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    error: r.error,
    owner_id: r.ownerId,
    proposal_id: r.proposalId,
    beamline: r.beamline,
    data_folders: r.dataFolders,
  };
}

/** Appending to a run that is closed or has ended is a conflict with its state (409), not bad input. */
function refuseUnlessOpen(run: { id: string; state: RunState; open: boolean }): void {
  if (run.state !== "pending" && run.state !== "running") throw new DomainError("conflict", `run ${run.id} has ended (${run.state}); it takes no more tasks`);
  if (!run.open)
    throw new DomainError("conflict", `run ${run.id} is not open; only a run submitted with "open": true takes appended tasks, until it is closed`);
}

export type { TaskState };
