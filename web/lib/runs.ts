// Runs (distributed sub-workflows) and node agents, from /api/lightbook/runs and /api/lightbook/agents.
// The shapes are the server's own contracts (contracts/runs.ts, contracts/agents.ts); responses are parsed by them.

import { z } from "../../contracts/zod.ts";
import { agentModel, type AgentModel } from "../../contracts/agents";
import { resultsPage, runModel, type RunModel, type RunState, type TaskModel, type TaskState } from "../../contracts/runs";
import type { StreamEvent } from "../../contracts/events";
import { programResult, type ProgramResult } from "../../contracts/programs";
import { lightbookRequest, responseOf } from "./jupyter";

export type { AgentModel, RunModel, RunState, TaskModel, TaskState };

export const RUN_STATES: readonly RunState[] = ["pending", "running", "succeeded", "failed", "cancelled"];

/** Whether a run can change no more (the server's TERMINAL_RUN_STATES, without importing its values). */
export function runEnded(run: RunModel): boolean {
  return run.state === "succeeded" || run.state === "failed" || run.state === "cancelled";
}

/** The run's name, or its short id for runs submitted without one. */
export function runTitle(run: RunModel): string {
  return run.name || `Run ${run.id.slice(0, 8)}`;
}

/** Newest first, optionally only runs in one state. */
export async function listRuns(state: RunState | null): Promise<RunModel[]> {
  const query = new URLSearchParams({ limit: "200", ...(state ? { state } : {}) });
  return responseOf(z.array(runModel), await lightbookRequest("Could not list runs", `runs?${query}`), "the runs");
}

/** One run with its task table (its first 10,000 tasks). */
export async function getRun(id: string): Promise<RunModel> {
  return responseOf(runModel, await lightbookRequest(`Could not load run ${id}`, `runs/${encodeURIComponent(id)}`), `run ${id}`);
}

/** One item's result of a program step (issue 17), with the task it came from. */
export interface ProgramRow {
  partition: number;
  step: string;
  result: ProgramResult;
}

/** The results of a run's program steps, every page of GET runs/{id}/results, in partition order. */
export async function getProgramResults(id: string): Promise<ProgramRow[]> {
  const rows: ProgramRow[] = [];
  for (let after = -1; ;) {
    const page = await responseOf(
      resultsPage,
      await lightbookRequest(`Could not load the results of run ${id}`, `runs/${encodeURIComponent(id)}/results?after=${after}`),
      `results of run ${id}`,
    );
    for (const r of page.results)
      for (const item of Array.isArray(r.value) ? r.value : []) {
        const parsed = programResult.safeParse(item);
        if (parsed.success) rows.push({ partition: r.partition, step: r.step, result: parsed.data });
      }
    if (page.next_after === null) return rows;
    after = page.next_after;
  }
}

/** Cancels the run's pending tasks; running ones stop within an agent heartbeat. */
export async function cancelRun(id: string): Promise<void> {
  await lightbookRequest(`Could not cancel run ${id}`, `runs/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export async function listAgents(): Promise<AgentModel[]> {
  return responseOf(z.array(agentModel), await lightbookRequest("Could not list agents", "agents"), "the agents");
}

/** Milliseconds from `start` to `end` (or to `now` while unfinished); null before it started. */
export function elapsedMs(start: string | null, end: string | null, now: number): number | null {
  if (start === null) return null;
  return Math.max(0, (end === null ? now : Date.parse(end)) - Date.parse(start));
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A local wall-clock time with milliseconds (tasks last milliseconds to hours). */
export function formatTime(iso: string | null): string {
  if (iso === null) return "—";
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hour12: false });
}

/** Date and time to the second, for runs and agents. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { hour12: false });
}

/** Task states in the order one attempt goes through them (a requeue goes back to queued with the same attempt). */
const STATE_RANK: Record<TaskState, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, cancelled: 2 };

/**
 * A run page's model with a batch of its events applied in place of a reload: each `task.state`
 * changes its task's row and the counts, `run.state` the run's state. An event older than what a
 * row already shows (a lower attempt, or an earlier state of the same attempt, as when the
 * snapshot was read after the event) changes nothing. `reload`: what events cannot say (tasks
 * added, the run's end time and error, a task not loaded) needs the run read again.
 */
export function applyRunEvents(run: RunModel, events: StreamEvent[]): { run: RunModel; reload: boolean } {
  let reload = false;
  let tasks = run.tasks;
  let copied = false;
  const counts = { ...run.counts };
  let { state, open } = run;
  let names: Map<string, string> | undefined;
  for (const e of events) {
    if (!("run_id" in e) || e.run_id !== run.id) continue;
    if (e.kind === "run.tasks") reload = true;
    if (e.kind === "run.state") {
      ({ state, open } = e);
      if (e.total !== counts.total || e.state === "succeeded" || e.state === "failed" || e.state === "cancelled") reload = true;
    }
    if (e.kind !== "task.state" || !tasks) continue;
    // Tasks are loaded in partition order from 0, so partition p is row p (a page that starts later looks it up).
    const i = tasks[e.partition]?.partition === e.partition ? e.partition : tasks.findIndex((t) => t.partition === e.partition);
    const t = tasks[i];
    if (!t) {
      reload = true;
      continue;
    }
    const requeued = e.state === "queued" && t.state === "running";
    if (e.attempt < t.attempt || (e.attempt === t.attempt && STATE_RANK[e.state] < STATE_RANK[t.state] && !requeued)) continue;
    if (e.attempt === t.attempt && e.state === t.state) continue;
    if (!copied) {
      tasks = [...tasks];
      copied = true;
    }
    names ??= new Map(run.tasks!.filter((x) => x.agent_id && x.agent_name).map((x) => [x.agent_id!, x.agent_name!]));
    counts[t.state] -= 1;
    counts[e.state] += 1;
    const ended = STATE_RANK[e.state] === 2;
    tasks[i] = {
      ...t,
      state: e.state,
      attempt: e.attempt,
      agent_id: e.agent_id,
      agent_name: e.agent_id === t.agent_id ? t.agent_name : e.agent_id ? (names.get(e.agent_id) ?? e.agent_id.slice(0, 8)) : null,
      error: e.error,
      started_at: e.state === "running" ? e.created : e.state === "queued" ? null : t.started_at,
      finished_at: ended ? e.created : null,
    };
  }
  return { run: { ...run, state, open, counts, tasks }, reload };
}
