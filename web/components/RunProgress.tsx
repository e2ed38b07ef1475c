import type { RunModel } from "../lib/runs";

/** A run's tasks as one bar: succeeded, failed, cancelled and running segments over the total. */
export default function RunProgress({ run, label }: { run: RunModel; label: string }) {
  const { total, succeeded, failed, cancelled, running } = run.counts;
  const ended = succeeded + failed + cancelled;
  const share = (n: number) => `${total === 0 ? 0 : (100 * n) / total}%`;
  return (
    <div
      className="run-progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={ended}
      aria-valuetext={`${ended} of ${total} tasks ended: ${succeeded} succeeded, ${failed} failed, ${running} running`}
    >
      <span className="run-progress-part succeeded" style={{ width: share(succeeded) }} />
      <span className="run-progress-part failed" style={{ width: share(failed) }} />
      <span className="run-progress-part cancelled" style={{ width: share(cancelled) }} />
      <span className="run-progress-part running" style={{ width: share(running) }} />
    </div>
  );
}
