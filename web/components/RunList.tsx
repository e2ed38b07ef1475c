"use client";

// Runs (distributed sub-workflows from workflow.map in cells or POST /api/lightbook/runs), newest first,
// read again when the event stream says a run changed (its tasks' progress at most once a second).

import Link from "next/link";
import { useCallback, useRef, useState } from "react";
import { RUN_STATES, elapsedMs, formatDateTime, formatDuration, listRuns, runTitle, type RunState } from "../lib/runs";
import { usePolling } from "../lib/usePolling";
import { useEvents } from "../lib/useEvents";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import RunProgress from "./RunProgress";
import StateFilter from "./StateFilter";
import "./runs.css";

/** Without the event stream; with it, a safety net. */
const REFRESH_MS = 2000;
const SAFETY_MS = 30_000;
const PROGRESS_MS = 1000;
const COLUMNS = ["Run", "Id", "State", "Tasks", "Progress", "Created", "Duration"];

export default function RunList() {
  const [state, setState] = useState<RunState | null>(null);
  const load = useCallback(() => listRuns(state), [state]);
  const reload = useRef(() => undefined as void);
  const lastProgress = useRef(0);
  const connected = useEvents(
    undefined,
    (events) => {
      const progress = events.some((e) => e.kind === "task.state") && Date.now() - lastProgress.current >= PROGRESS_MS;
      if (!progress && !events.some((e) => e.kind === "run.state" || e.kind === "run.tasks")) return;
      lastProgress.current = Date.now();
      reload.current();
    },
    () => reload.current(),
  );
  const { value: runs, error, loadedAt, refresh } = usePolling(load, connected ? SAFETY_MS : REFRESH_MS);
  reload.current = refresh;

  return (
    <div>
      <div className="list-header">
        <h1>Runs</h1>
        <StateFilter label="Filter by state" states={RUN_STATES} value={state} onChange={setState} />
      </div>
      <LoadStatus loaded={runs !== null} error={error} />
      {runs?.length === 0 && (
        <p className="page-message">{state ? `No ${state} runs.` : "No runs yet: workflow.map in a cell or POST /api/lightbook/runs starts one."}</p>
      )}
      {runs && runs.length > 0 && (
        <DataTable label="Runs" columns={COLUMNS}>
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-row">
              <td>
                <Link href={`/runs/${run.id}`}>{runTitle(run)}</Link>
              </td>
              <td className="mono">{run.id.slice(0, 8)}</td>
              <td>
                <span className={`state-badge ${run.state}`}>{run.state}</span>
              </td>
              <td>
                {run.counts.succeeded} done · {run.counts.failed} failed · {run.counts.running} running / {run.counts.total}
              </td>
              <td>
                <RunProgress run={run} label={`Progress of ${runTitle(run)}`} />
              </td>
              <td>{formatDateTime(run.created_at)}</td>
              <td>{formatDuration(elapsedMs(run.started_at, run.finished_at, loadedAt))}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
