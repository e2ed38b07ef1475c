import { Router } from "express";
import type { Db } from "../db/client.ts";

/** An agent that has not heartbeaten for this long is shown as lost. */
export const AGENT_LOST_AFTER_MS = 30_000;

/** GET /api/lightbook/agents: registered node agents and whether they are alive. */
export function agentRoutes(db: Db): Router {
  const r = Router();
  r.get("/api/lightbook/agents", async (_req, res) => {
    const agents = await db.agent.findMany({ orderBy: { startedAt: "desc" } });
    const now = Date.now();
    res.json(
      agents.map((a) => ({
        id: a.id,
        name: a.name,
        host: a.host,
        pid: a.pid,
        cores: a.cores,
        version: a.version,
        tags: a.tags,
        state: a.state === "running" && now - a.heartbeatAt.getTime() > AGENT_LOST_AFTER_MS ? "lost" : a.state,
        started_at: a.startedAt.toISOString(),
        heartbeat_at: a.heartbeatAt.toISOString(),
      })),
    );
  });
  return r;
}
