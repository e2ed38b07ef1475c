/** A node agent's state; `lost` is also reported for one whose heartbeat is overdue before the reaper marks it. */
export type AgentState = "running" | "stopping" | "stopped" | "lost";

/** One entry of GET /api/lightbook/agents (snake_case on the wire, as the rest of the API). */
export interface AgentModel {
  id: string;
  name: string;
  host: string;
  pid: number;
  cores: number;
  version: string;
  tags: string[];
  /** Jobs it runs at once. */
  concurrency: number;
  state: AgentState;
  /** Jobs running now, and finished since it started, as of its last heartbeat. */
  running: number;
  completed: number;
  failed: number;
  /** Throughput: its tasks that ended in the last minute. */
  tasks_per_minute: number;
  started_at: string;
  heartbeat_at: string;
  lost_at: string | null;
}
