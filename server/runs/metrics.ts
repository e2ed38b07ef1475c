import { Router } from "express";
import type pg from "pg";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { TASK_IDENTIFIER } from "../../queue/queue.ts";
import { heartbeatOverdue } from "../../queue/sql/agents.ts";
import type { EventStreamStats } from "../events/endpoint.ts";
import { authorize, type AccessResolver } from "../auth/authorizer.ts";

/**
 * GET /metrics in Prometheus' text format (for admins: the service's figures, every user's runs). Agents write their
 * progress to Postgres, so the figures are read from there at each scrape: queue depth (the
 * signal for autoscaling agents), tasks ended (rate() of it is tasks/s), agents alive, and task
 * latencies, observed from the tasks that ended since the previous scrape. A scrape reads the
 * run table and the tasks of runs live since the previous one, never the whole task table: tasks
 * ended are the runs' own counters (finish-task.ts keeps them).
 */
export function metricsRoutes(pool: pg.Pool, agentLostAfterMs: number, events: EventStreamStats, access: AccessResolver): Router {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "lightbook_server_" });
  const queueDepth = new Gauge({ name: "lightbook_queue_depth", help: "Jobs waiting for an agent (not locked, attempts left)", registers: [registry] });
  const queueRunning = new Gauge({ name: "lightbook_queue_running", help: "Jobs locked by an agent", registers: [registry] });
  const agents = new Gauge({ name: "lightbook_agents", help: "Agents by state (lost: no heartbeat)", labelNames: ["state"], registers: [registry] });
  const agentSlots = new Gauge({ name: "lightbook_agent_slots", help: "Concurrent jobs the live agents can run", registers: [registry] });
  const runs = new Gauge({ name: "lightbook_runs", help: "Runs by state", labelNames: ["state"], registers: [registry] });
  const tasksEnded = new Counter({
    name: "lightbook_tasks_ended_total",
    help: "Tasks ended, by state (rate() is tasks/s)",
    labelNames: ["state"],
    registers: [registry],
  });
  const wait = new Histogram({
    name: "lightbook_task_wait_seconds",
    help: "Task created → started (queueing and pickup)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "lightbook_task_duration_seconds",
    help: "Task started → ended on its agent (with the wait for a compute slot of a task started ahead, LIGHTBOOK_AGENT_PREFETCH)",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  new Gauge({
    name: "lightbook_event_subscribers",
    help: "Event stream connections: live (pushed) or paging (catching up from the database)",
    labelNames: ["mode"],
    registers: [registry],
    collect() {
      const c = events.connections();
      this.set({ mode: "live" }, c.live);
      this.set({ mode: "paging" }, c.open - c.live);
    },
  });
  new Gauge({
    name: "lightbook_event_buffered_bytes_peak",
    help: "The most bytes one event stream connection had queued on its socket",
    registers: [registry],
    collect() {
      this.set(events.peakBuffered());
    },
  });
  const ended = { succeeded: 0, failed: 0, cancelled: 0 };
  let since = new Date();

  async function refresh(): Promise<void> {
    const [q, a, r, lat] = await Promise.all([
      pool.query<{ waiting: number; running: number }>(
        `select count(*) filter (where locked_by is null and attempts < max_attempts)::int as waiting,
                count(*) filter (where locked_by is not null)::int as running
         from graphile_worker.jobs where task_identifier = $1`,
        [TASK_IDENTIFIER],
      ),
      pool.query<{ state: string; n: number; slots: number }>(
        `select case when ${heartbeatOverdue("$1")} then 'lost' else state::text end as state,
                count(*)::int as n, sum(concurrency)::int as slots
         from agent group by 1`,
        [agentLostAfterMs],
      ),
      pool.query<{ state: string; n: number; succeeded: number; failed: number; cancelled: number }>(
        `select state::text, count(*)::int as n, sum(succeeded)::float8 as succeeded, sum(failed)::float8 as failed, sum(cancelled)::float8 as cancelled
         from run group by 1`,
      ),
      // Through task(run_id, state): only runs that had not ended by the previous scrape.
      pool.query<{ wait: number; duration: number; finished_at: Date }>(
        `select extract(epoch from t.started_at - t.created_at)::float8 as wait, extract(epoch from t.finished_at - t.started_at)::float8 as duration, t.finished_at
         from run r join task t on t.run_id = r.id
         where (r.finished_at is null or r.finished_at > $1) and t.state in ('succeeded', 'failed', 'cancelled')
           and t.finished_at > $1 and t.started_at is not null
         order by t.finished_at limit 100000`,
        [since],
      ),
    ]);
    queueDepth.set(q.rows[0]?.waiting ?? 0);
    queueRunning.set(q.rows[0]?.running ?? 0);
    agents.reset();
    agentSlots.set(0);
    for (const row of a.rows) {
      agents.set({ state: row.state }, row.n);
      if (row.state === "running") agentSlots.set(row.slots);
    }
    runs.reset();
    const now = { succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of r.rows) {
      runs.set({ state: row.state }, row.n);
      for (const k of Object.keys(now) as (keyof typeof now)[]) now[k] += row[k];
    }
    for (const k of Object.keys(ended) as (keyof typeof ended)[]) {
      if (now[k] > ended[k]) tasksEnded.inc({ state: k }, now[k] - ended[k]);
      ended[k] = now[k];
    }
    for (const t of lat.rows) {
      wait.observe(Math.max(0, t.wait));
      duration.observe(Math.max(0, t.duration));
      since = t.finished_at;
    }
  }

  const r = Router();
  r.get("/metrics", async (_req, res) => {
    await authorize(res, access, "read", { kind: "service" }, "Only admins may read the service's metrics");
    await refresh();
    res.type(registry.contentType).send(await registry.metrics());
  });
  return r;
}
