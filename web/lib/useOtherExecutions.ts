'use client';

// Every viewer of a notebook sees runs live: executions requested by another client (another tab,
// a colleague, this page before a reload) are shown in the cell whose source is the code the kernel
// echoes in execute_input. Joining while a cell runs shows the rest of its output as it arrives.

import { useEffect, type Dispatch } from 'react';
import { batcher, type Batcher } from './batch';
import type { KernelSession } from './jupyter';
import type { Cell, NotebookAction } from './notebookModel';
import type { OutputEvent } from './outputs';

interface Followed {
  cellId: string;
  events: Batcher<OutputEvent>;
}

export function useOtherExecutions(kernel: KernelSession | null, cells: () => Cell[], dispatch: Dispatch<NotebookAction>, batchMs: number): void {
  useEffect(() => {
    if (!kernel) return;
    const followed = new Map<string, Followed>();
    const stop = kernel.onOtherExecution((e) => {
      if (e.kind === 'started') {
        const taken = new Set([...followed.values()].map((f) => f.cellId));
        const cell = cells().find((c) => c.kind === 'code' && c.source === e.code && !taken.has(c.id));
        if (!cell) return;
        const id = cell.id;
        const events = batcher<OutputEvent>((batch) => dispatch({ type: 'execute-events', id, events: batch, remote: true }), batchMs);
        followed.set(e.requestId, { cellId: id, events });
        dispatch({ type: 'execute-start', id, remote: true });
        events.push({ kind: 'execute-input', executionCount: e.executionCount, at: e.at });
        return;
      }
      const f = followed.get(e.requestId);
      if (!f) return;
      if (e.kind === 'event') return f.events.push(e.event);
      f.events.flush();
      followed.delete(e.requestId);
      dispatch({ type: 'execute-end', id: f.cellId, executionCount: null, at: e.at, remote: true });
    });
    return () => {
      stop();
      for (const f of followed.values()) f.events.cancel();
    };
  }, [kernel, cells, dispatch, batchMs]);
}
