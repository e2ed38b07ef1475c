import { Router } from "express";
import type { Db } from "../db/client.ts";
import type { AgentModel } from "../../contracts/agents.ts";
import { heartbeatOverdue } from "../../queue/sql/agents.ts";

/**
 * GET /api/lightbook/agents: registered node agents, whether they are alive (an agent that has
 * not heartbeaten for `lostAfterMs` is lost even before a reaper marks it), their current jobs
 * and throughput (tasks ended in the last minute).
 */
export function agentRoutes(db: Db, lostAfterMs: number, restartsOf: (host: string, pid: number) => number | undefined): Router {
  const r = Router();
  r.get("/api/lightbook/agents", async (_req, res) => {
    const agents = await db.agent.findMany({ orderBy: { startedAt: "desc" } });
    const minuteAgo = new Date(Date.now() - 60_000);
    const recent = await db.task.groupBy({ by: ["agentId"], where: { finishedAt: { gt: minuteAgo }, agentId: { not: null } }, _count: { _all: true } });
    const perMinute = new Map(recent.map((g) => [g.agentId, g._count._all]));
    const overdue = new Set(
      (await db.$queryRawUnsafe<{ id: string }[]>(`select id::text from agent where ${heartbeatOverdue("$1")}`, lostAfterMs)).map((r) => r.id),
    );
    res.json(
      agents.map((a): AgentModel => ({
        id: a.id,
        name: a.name,
        host: a.host,
        pid: a.pid,
        cores: a.cores,
        version: a.version,
        tags: a.tags,
        concurrency: a.concurrency,
        state: overdue.has(a.id) ? "lost" : a.state,
        running: a.running,
        completed: a.completed,
        failed: a.failed,
        tasks_per_minute: perMinute.get(a.id) ?? 0,
        started_at: a.startedAt.toISOString(),
        heartbeat_at: a.heartbeatAt.toISOString(),
        lost_at: a.lostAt?.toISOString() ?? null,
        restarts: a.state === "running" ? (restartsOf(a.host, a.pid) ?? null) : null,
      })),
    );
  });
  return r;
}
