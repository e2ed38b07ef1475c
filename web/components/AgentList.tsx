"use client";

// Node agents (GET /api/lightbook/agents): who is alive, what it runs, how fast. Read again when the
// event stream says an agent started, stopped or was lost; its counters (from heartbeats) every few seconds.

import { useRef, useState } from "react";
import { formatDateTime, listAgents } from "../lib/runs";
import { usePolling } from "../lib/usePolling";
import { useEvents } from "../lib/useEvents";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import "./runs.css";

const REFRESH_MS = 2000;
/** With the event stream: the heartbeat counters only. */
const COUNTERS_MS = 5000;
const COLUMNS = ["Name", "State", "Host", "Cores", "Slots", "Version", "Tags", "Running", "Completed", "Failed", "Tasks/min", "Restarts", "Last heartbeat"];

export default function AgentList() {
  const reload = useRef(() => undefined as void);
  const connected = useEvents(
    undefined,
    (events) => {
      if (events.some((e) => e.kind === "agent.state")) reload.current();
    },
    () => reload.current(),
  );
  const { value: all, error, refresh } = usePolling(listAgents, connected ? COUNTERS_MS : REFRESH_MS);
  reload.current = refresh;
  // Every agent start registers anew, so stopped ones pile up; lost ones stay visible (something died).
  const [showStopped, setShowStopped] = useState(false);
  const agents = all && (showStopped ? all : all.filter((a) => a.state !== "stopped"));
  return (
    <div>
      <div className="list-header">
        <h1>Agents</h1>
        <label>
          <input type="checkbox" checked={showStopped} onChange={(e) => setShowStopped(e.target.checked)} /> Show stopped agents
        </label>
      </div>
      <LoadStatus loaded={all !== null} error={error} />
      {agents?.length === 0 && <p className="page-message">No agent is running: start one with npm run agent.</p>}
      {agents && agents.length > 0 && (
        <DataTable label="Agents" columns={COLUMNS}>
          {agents.map((a) => (
            <tr key={a.id} data-testid="agent-row">
              <td>{a.name}</td>
              <td>
                <span className={`state-badge ${a.state}`}>{a.state}</span>
              </td>
              <td>
                {a.host} <span className="muted">pid {a.pid}</span>
              </td>
              <td>{a.cores}</td>
              <td>{a.concurrency}</td>
              <td className="mono">{a.version}</td>
              <td>{a.tags.join(", ")}</td>
              <td>{a.running}</td>
              <td>{a.completed}</td>
              <td>{a.failed}</td>
              <td>{a.tasks_per_minute}</td>
              <td title="Times the server restarted this local agent after it exited">{a.restarts ?? ""}</td>
              <td>{formatDateTime(a.heartbeat_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
