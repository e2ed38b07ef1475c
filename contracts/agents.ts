import { z } from "./zod.ts";

/** A node agent's state; `lost` is also reported for one whose heartbeat is overdue before the reaper marks it. */
export const agentState = z.enum(["running", "stopping", "stopped", "lost"]);
export type AgentState = z.infer<typeof agentState>;

const count = z.number().int().min(0);

/** One entry of GET /api/lightbook/agents (snake_case on the wire, as the rest of the API). */
export const agentModel = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  cores: count,
  version: z.string(),
  tags: z.array(z.string()),
  /** Jobs it runs at once. */
  concurrency: count,
  state: agentState,
  /** Jobs running now, and finished since it started, as of its last heartbeat. */
  running: count,
  completed: count,
  failed: count,
  /** Throughput: its tasks that ended in the last minute. */
  tasks_per_minute: count,
  started_at: z.string(),
  heartbeat_at: z.string(),
  lost_at: z.string().nullable(),
  /** Times this server restarted the local agent after it exited unasked; null for agents it did not start. */
  restarts: count.nullable(),
});
export type AgentModel = z.infer<typeof agentModel>;
