'use client';

// Runs (distributed sub-workflows from workflow.map in cells or POST /api/lightbook/runs), newest first, live.

import Link from 'next/link';
import { useCallback, useState } from 'react';
import { RUN_STATES, elapsedMs, formatDateTime, formatDuration, listRuns, runTitle, type RunState } from '../lib/runs';
import { usePolling } from '../lib/usePolling';
import DataTable from './DataTable';
import LoadStatus from './LoadStatus';
import RunProgress from './RunProgress';
import StateFilter from './StateFilter';
import './runs.css';

const REFRESH_MS = 2000;
const COLUMNS = ['Run', 'Id', 'State', 'Tasks', 'Progress', 'Created', 'Duration'];

export default function RunList() {
  const [state, setState] = useState<RunState | null>(null);
  const load = useCallback(() => listRuns(state), [state]);
  const { value: runs, error, loadedAt } = usePolling(load, REFRESH_MS);

  return (
    <div>
      <div className="list-header">
        <h1>Runs</h1>
        <StateFilter label="Filter by state" states={RUN_STATES} value={state} onChange={setState} />
      </div>
      <LoadStatus loaded={runs !== null} error={error} />
      {runs?.length === 0 && <p className="page-message">{state ? `No ${state} runs.` : 'No runs yet: workflow.map in a cell or POST /api/lightbook/runs starts one.'}</p>}
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
