import pg from "pg";
import type { Db } from "../db/client.ts";
import type { Logger } from "../../runtime/log.ts";
import { RunManager } from "./manager.ts";
import { Queue } from "../../queue/queue.ts";
import { Scheduler } from "./scheduler.ts";
import type { Programs } from "../../queue/programs.ts";

export interface RunsOptions {
  databaseUrl: string;
  dataRoot: string;
  resultsRoot: string;
  agentLostAfterMs: number;
  programs: Programs;
}

/** Everything the server runs for distributed workflows, opened and closed together. */
export interface Runs {
  manager: RunManager;
  scheduler: Scheduler;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function openRuns(db: Db, opts: RunsOptions, log: Logger): Promise<Runs> {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 6 });
  // A connection killed under an idle client (database restart, pg_terminate_backend) is dropped
  // from the pool; the next query opens a new one.
  pool.on("error", (e) => log.warn({ err: e.message }, "database connection lost"));
  const queue = await Queue.open(opts.databaseUrl, log.child({ part: "queue" }));
  const scheduler = new Scheduler(
    db,
    pool,
    queue,
    opts.databaseUrl,
    {
      dataRoot: opts.dataRoot,
      agentLostAfterMs: opts.agentLostAfterMs,
      reapEveryMs: Math.max(500, Math.min(2000, opts.agentLostAfterMs / 5)),
      repairEveryMs: 5000,
    },
    log.child({ part: "scheduler" }),
  );
  const manager = new RunManager(
    db,
    pool,
    queue,
    scheduler,
    { dataRoot: opts.dataRoot, resultsRoot: opts.resultsRoot, programs: opts.programs },
    log.child({ part: "runs" }),
  );
  scheduler.start();
  return {
    manager,
    scheduler,
    pool,
    async close() {
      await scheduler.stop();
      await queue.close();
      await pool.end();
    },
  };
}
