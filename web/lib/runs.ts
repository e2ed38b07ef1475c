// Runs (distributed sub-workflows) and node agents, from /api/lightbook/runs and /api/lightbook/agents.
// The shapes are the server's own (server/runs/model.ts, server/agents/model.ts), imported as types.

import type { AgentModel } from '../../server/agents/model';
import type { RunModel, RunState, TaskModel, TaskState } from '../../server/runs/model';
import { lightbookRequest } from './jupyter';

export type { AgentModel, RunModel, RunState, TaskModel, TaskState };

export const RUN_STATES: readonly RunState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** Whether a run can change no more (the server's TERMINAL_RUN_STATES, without importing its values). */
export function runEnded(run: RunModel): boolean {
  return run.state === 'succeeded' || run.state === 'failed' || run.state === 'cancelled';
}

/** The run's name, or its short id for runs submitted without one. */
export function runTitle(run: RunModel): string {
  return run.name || `Run ${run.id.slice(0, 8)}`;
}

/** Newest first, optionally only runs in one state. */
export async function listRuns(state: RunState | null): Promise<RunModel[]> {
  const query = new URLSearchParams({ limit: '200', ...(state ? { state } : {}) });
  return (await (await lightbookRequest('Could not list runs', `runs?${query}`)).json()) as RunModel[];
}

/** One run with its task table (its first 10,000 tasks). */
export async function getRun(id: string): Promise<RunModel> {
  return (await (await lightbookRequest(`Could not load run ${id}`, `runs/${encodeURIComponent(id)}`)).json()) as RunModel;
}

/** Cancels the run's pending tasks; running ones stop within an agent heartbeat. */
export async function cancelRun(id: string): Promise<void> {
  await lightbookRequest(`Could not cancel run ${id}`, `runs/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function listAgents(): Promise<AgentModel[]> {
  return (await (await lightbookRequest('Could not list agents', 'agents')).json()) as AgentModel[];
}

/** Milliseconds from `start` to `end` (or to `now` while unfinished); null before it started. */
export function elapsedMs(start: string | null, end: string | null, now: number): number | null {
  if (start === null) return null;
  return Math.max(0, (end === null ? now : Date.parse(end)) - Date.parse(start));
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A local wall-clock time with milliseconds (tasks last milliseconds to hours). */
export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false });
}

/** Date and time to the second, for runs and agents. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { hour12: false });
}
