"use client";

// One run: its state and progress, its recipe, a timeline of tasks per agent and the task table,
// updated live from the run's events (applied to the loaded table, not reloading it), and read
// again slowly as a safety net while anything in it can still change.

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import {
  applyRunEvents,
  cancelRun,
  elapsedMs,
  formatDateTime,
  formatDuration,
  formatTime,
  getRun,
  runEnded,
  runTitle,
  type RunModel,
  type TaskModel,
  type TaskState,
} from "../lib/runs";
import { errorMessage } from "../lib/jupyter";
import { usePolling } from "../lib/usePolling";
import { useEvents } from "../lib/useEvents";
import DataTable from "./DataTable";
import LoadStatus from "./LoadStatus";
import RunProgress from "./RunProgress";
import StateFilter from "./StateFilter";
import TaskTimeline from "./TaskTimeline";
import ProgramResults from "./ProgramResults";
import "./runs.css";

/** Without the event stream: every second, and less often for big runs, whose whole task table each refresh loads again. */
const refreshMs = (run: RunModel) => Math.max(1000, Math.min(10_000, run.counts.total));
/** With it, a reload now and then in case an event could not be applied. */
const SAFETY_MS = 30_000;
/** Rows drawn at once: a 20,000-frame run would otherwise rebuild a huge table at each refresh. */
const MAX_ROWS = 1000;
const TASK_STATES: readonly TaskState[] = ["queued", "running", "succeeded", "failed", "cancelled"];
const COLUMNS = ["Partition", "Step", "State", "Attempts", "Agent", "Queued", "Started", "Finished", "Duration", "Error"];

/** A cancelled run's running tasks still stop afterwards, so polling goes on until none runs. */
const changing = (run: RunModel) => !runEnded(run) || run.counts.running > 0;

function Recipe({ run }: { run: RunModel }) {
  if (!run.recipe) return null;
  return (
    <ul className="recipe-steps" aria-label="Steps">
      {run.recipe.steps.map((s) => (
        <li key={s.id}>
          <strong>{s.id}</strong>: {s.algorithm ?? (s.program !== undefined ? `program ${s.program}` : "function")} over {s.input.kind}
          {s.chunk > 1 && `, ${s.chunk} items a task`}
          {s.after.length > 0 && `, after ${s.after.join(", ")}`}
        </li>
      ))}
    </ul>
  );
}

function TaskTable({ tasks, now }: { tasks: TaskModel[]; now: number }) {
  const [state, setState] = useState<TaskState | null>(null);
  const shown = state ? tasks.filter((t) => t.state === state) : tasks;
  return (
    <>
      <div className="list-header">
        <h2>Tasks</h2>
        <StateFilter label="Filter tasks by state" states={TASK_STATES} value={state} onChange={setState} />
      </div>
      <DataTable label="Tasks" columns={COLUMNS}>
        {shown.slice(0, MAX_ROWS).map((t) => (
          <tr key={t.partition} data-testid="task-row">
            <td className="mono">{t.partition}</td>
            <td>{t.step}</td>
            <td>
              <span className={`state-badge ${t.state}`}>{t.state}</span>
            </td>
            <td>
              {t.attempt} / {t.max_attempts}
            </td>
            <td>{t.agent_name ?? "—"}</td>
            <td>{formatTime(t.created_at)}</td>
            <td>{formatTime(t.started_at)}</td>
            <td>{formatTime(t.finished_at)}</td>
            <td>{formatDuration(elapsedMs(t.started_at, t.finished_at, now))}</td>
            <td className="task-error">{t.error}</td>
          </tr>
        ))}
      </DataTable>
      {shown.length > MAX_ROWS && (
        <p className="page-message">
          The first {MAX_ROWS} of {shown.length} tasks are shown.
        </p>
      )}
    </>
  );
}

export default function RunView({ id }: { id: string }) {
  const load = useCallback(() => getRun(id), [id]);
  const [run, setRun] = useState<RunModel | null>(null);
  const [eventAt, setEventAt] = useState(0);
  const current = useRef<RunModel | null>(null);
  // The stream's handlers run after render, by which time this holds the polling's refresh.
  const reload = useRef(() => undefined as void);
  const connected = useEvents(
    id,
    (events) => {
      if (!current.current) return;
      const applied = applyRunEvents(current.current, events);
      current.current = applied.run;
      setRun(applied.run);
      setEventAt(Date.now());
      if (applied.reload) reload.current();
    },
    () => reload.current(),
  );
  const { value: polled, error, loadedAt, refresh } = usePolling(load, connected ? SAFETY_MS : refreshMs, changing);
  reload.current = refresh;
  useEffect(() => {
    current.current = polled;
    setRun(polled);
  }, [polled]);
  const now = Math.max(loadedAt, eventAt);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      await cancelRun(id);
    } catch (e: unknown) {
      setCancelError(errorMessage(e));
    }
    setCancelling(false);
    refresh();
  };

  return (
    <div className="run-view">
      <Link href="/runs">← Runs</Link>
      <LoadStatus loaded={run !== null} error={cancelError ?? error} />
      {run && (
        <>
          <div className="list-header">
            <h1>
              {runTitle(run)} <span className={`state-badge ${run.state}`}>{run.state}</span>
            </h1>
            <button type="button" className="danger" onClick={() => void cancel()} disabled={runEnded(run) || cancelling}>
              Cancel run
            </button>
          </div>
          <RunProgress run={run} label="Run progress" />
          <p className="run-facts">
            <span data-testid="run-counts">
              {run.counts.succeeded} succeeded · {run.counts.failed} failed · {run.counts.running} running · {run.counts.queued} queued
              {run.counts.cancelled > 0 && ` · ${run.counts.cancelled} cancelled`} of {run.counts.total}
            </span>
            <span>created {formatDateTime(run.created_at)}</span>
            {run.beamline !== null && <span>beamline {run.beamline}</span>}
            <span title="What its tasks may read, fixed when it was submitted">
              reads {run.data_folders.includes("") ? "the whole data root" : run.data_folders.length === 0 ? "no data" : run.data_folders.join(", ")}
            </span>
            <span>duration {formatDuration(elapsedMs(run.started_at, run.finished_at, now))}</span>
            <span className="mono">{run.id}</span>
          </p>
          {run.error && <p className="notice">{run.error}</p>}
          <Recipe run={run} />
          <h2>Timeline</h2>
          <TaskTimeline tasks={run.tasks ?? []} now={now} />
          <ProgramResults run={run} />
          <TaskTable tasks={run.tasks ?? []} now={now} />
        </>
      )}
    </div>
  );
}
