import { formatDuration, type TaskModel } from "../lib/runs";

const LABEL_WIDTH = 130;
const WIDTH = 1000;
const ROW = 14;
const AXIS = 22;
const TICKS = 6;

interface Bar {
  task: TaskModel;
  start: number;
  end: number;
  slot: number;
}

interface Lane {
  agent: string;
  bars: Bar[];
  slots: number;
}

/**
 * Each agent's tasks packed greedily into as few rows as overlap requires (an agent runs several
 * at once), so a lane's height shows how many slots it kept busy.
 */
function lanes(tasks: TaskModel[], now: number): Lane[] {
  const byAgent = new Map<string, Lane>();
  const started = tasks.filter((t) => t.started_at !== null).sort((a, b) => Date.parse(a.started_at!) - Date.parse(b.started_at!));
  const slotEnds = new Map<string, number[]>();
  for (const task of started) {
    const agent = task.agent_name ?? "no agent";
    const start = Date.parse(task.started_at!);
    const end = Math.max(start, task.finished_at === null ? now : Date.parse(task.finished_at));
    const ends = slotEnds.get(agent) ?? [];
    let slot = ends.findIndex((e) => e <= start);
    if (slot < 0) slot = ends.push(end) - 1;
    else ends[slot] = end;
    slotEnds.set(agent, ends);
    const lane = byAgent.get(agent) ?? { agent, bars: [], slots: 0 };
    lane.bars.push({ task, start, end, slot });
    lane.slots = ends.length;
    byAgent.set(agent, lane);
  }
  return [...byAgent.values()].sort((a, b) => a.agent.localeCompare(b.agent));
}

/** A Gantt chart of the run's tasks per agent over time, coloured by state. */
export default function TaskTimeline({ tasks, now }: { tasks: TaskModel[]; now: number }) {
  const rows = lanes(tasks, now);
  const bars = rows.flatMap((l) => l.bars);
  if (bars.length === 0) return <p className="page-message">No task has started yet.</p>;
  const t0 = Math.min(...bars.map((b) => b.start));
  const span = Math.max(1, Math.max(...bars.map((b) => b.end)) - t0);
  const x = (t: number) => LABEL_WIDTH + ((t - t0) / span) * (WIDTH - LABEL_WIDTH - 10);
  const height = AXIS + rows.reduce((h, l) => h + l.slots * ROW + 6, 0);
  let top = AXIS;
  return (
    <svg className="task-timeline" role="img" aria-label="Task timeline" viewBox={`0 0 ${WIDTH} ${height}`} width="100%" data-testid="task-timeline">
      {Array.from({ length: TICKS }, (_, i) => {
        const t = t0 + (i * span) / (TICKS - 1);
        return (
          <g key={i} className="timeline-tick">
            <line x1={x(t)} x2={x(t)} y1={AXIS - 4} y2={height} />
            <text x={x(t)} y={AXIS - 8} textAnchor={i === 0 ? "start" : i === TICKS - 1 ? "end" : "middle"}>
              {formatDuration(t - t0)}
            </text>
          </g>
        );
      })}
      {rows.map((lane) => {
        const y = top;
        top += lane.slots * ROW + 6;
        return (
          <g key={lane.agent} data-agent={lane.agent}>
            <text className="timeline-lane" x={4} y={y + (lane.slots * ROW) / 2 + 4}>
              {lane.agent}
            </text>
            {lane.bars.map((b) => (
              <rect
                key={b.task.partition}
                className={`timeline-bar ${b.task.state}`}
                x={x(b.start)}
                y={y + b.slot * ROW + 1}
                width={Math.max(1.5, x(b.end) - x(b.start))}
                height={ROW - 2}
              >
                <title>{`partition ${b.task.partition} (${b.task.step}): ${b.task.state}, ${formatDuration(b.end - b.start)}`}</title>
              </rect>
            ))}
          </g>
        );
      })}
    </svg>
  );
}
