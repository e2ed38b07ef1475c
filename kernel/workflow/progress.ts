/**
 * The live progress of a run as a MIME bundle: shown once with a display id, then replaced in
 * place (update_display_data) as tasks end. Done / failed / running, rate and ETA.
 */
import escapeHtml from "escape-html";
import type { RunModel } from "../../contracts/runs.ts";

export interface ProgressSample {
  at: number;
  ended: number;
}

function seconds(s: number): string {
  if (!Number.isFinite(s)) return "–";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Tasks per second over the samples of the last ~10 s. */
export function rate(samples: ProgressSample[]): number {
  const last = samples.at(-1);
  if (!last) return 0;
  const first = samples.find((s) => s.at >= last.at - 10_000) ?? samples[0]!;
  const dt = (last.at - first.at) / 1000;
  return dt > 0 ? (last.ended - first.ended) / dt : 0;
}

export function progressBundle(label: string, run: RunModel, perSecond: number, elapsedMs: number): Record<string, string> {
  const c = run.counts;
  const ended = c.succeeded + c.failed + c.cancelled;
  const total = Math.max(c.total, 1);
  const left = c.total - ended;
  const finished = ["succeeded", "failed", "cancelled"].includes(run.state);
  const eta = finished ? "done" : perSecond > 0 ? `ETA ${seconds(left / perSecond)}` : "ETA –";
  const parts = [
    `${c.succeeded}/${c.total} done`,
    ...(c.failed ? [`${c.failed} failed`] : []),
    ...(c.cancelled ? [`${c.cancelled} cancelled`] : []),
    `${c.running} running`,
    `${perSecond.toFixed(perSecond < 10 ? 1 : 0)} tasks/s`,
    finished ? `${run.state} in ${seconds(elapsedMs / 1000)}` : eta,
  ];
  const text = `${label}: ${parts.join(" · ")}`;
  const color = run.state === "failed" ? "#c62828" : run.state === "cancelled" ? "#8d6e63" : "#2e7d32";
  const errorLine = run.error ? `<div style="color:#c62828;white-space:pre-wrap">${escapeHtml(run.error)}</div>` : "";
  const html =
    `<div class="lightbook-run" data-run="${escapeHtml(run.id)}">` +
    // Its task table and timeline are on Lightbook's run page (a relative link: the kernel's server).
    `<div><b>${escapeHtml(label)}</b> <span style="color:${color}">${escapeHtml(run.state)}</span> <a href="/runs/${encodeURIComponent(run.id)}">tasks</a></div>` +
    `<progress value="${ended}" max="${total}" style="width:100%"></progress>` +
    `<div>${escapeHtml(parts.join(" · "))}</div>${errorLine}</div>`;
  return { "text/plain": run.error ? `${text}\n${run.error}` : text, "text/html": html };
}
