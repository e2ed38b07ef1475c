"use client";

// Runs this page did not start: another tab's or a colleague's (shown live), and runs that went
// on before this page opened (replayed from the server's output journal, then followed live).
// Each is shown in the cell whose source is the code the kernel echoed in execute_input, with its
// input() prompts; an answer given in any page ends the prompt in every page.

import { useEffect, type Dispatch } from "react";
import { batcher, type Batcher } from "./batch";
import type { KernelSession, OtherExecutionEvent, RecordedExecution } from "./jupyter";
import type { Cell, NotebookAction } from "./notebookModel";
import type { InputRequest, OutputEvent } from "./outputs";

interface Followed {
  cellId: string;
  events: Batcher<OutputEvent>;
  /**
   * Another client saves these outputs: the one that ran it, while it is attached. Runs replayed
   * from the journal whose client has gone are saved by this page.
   */
  remote: boolean;
}

interface Options {
  cells: () => Cell[];
  dispatch: Dispatch<NotebookAction>;
  batchMs: number;
  onError: (message: string) => void;
}

/** A recorded run the notebook does not hold yet: still running, or finished with another count. */
function unsaved(record: RecordedExecution, cell: Cell): boolean {
  return record.running || cell.kind !== "code" || cell.executionCount !== record.executionCount;
}

export function useOtherExecutions(kernel: KernelSession | null, { cells, dispatch, batchMs, onError }: Options): void {
  useEffect(() => {
    if (!kernel) return;
    const followed = new Map<string, Followed>();

    const follow = (requestId: string, code: string, remote: boolean, record?: RecordedExecution): Followed | null => {
      const taken = new Set([...followed.values()].map((f) => f.cellId));
      const cell = cells().find((c) => c.kind === "code" && c.source === code && !taken.has(c.id));
      if (!cell || (record && !unsaved(record, cell))) return null;
      const id = cell.id;
      const events = batcher<OutputEvent>((batch) => dispatch({ type: "execute-events", id, events: batch, remote }), batchMs);
      const f = { cellId: id, events, remote };
      followed.set(requestId, f);
      dispatch({ type: "execute-start", id, remote });
      return f;
    };

    const end = (requestId: string, f: Followed, at: string | null) => {
      f.events.flush();
      followed.delete(requestId);
      dispatch({ type: "execute-end", id: f.cellId, executionCount: null, at, remote: f.remote });
    };

    // What the run printed before asking shows above the prompt.
    const ask = (f: Followed, request: InputRequest) => {
      f.events.flush();
      dispatch({ type: "input-request", id: f.cellId, request });
    };

    const handle = (e: OtherExecutionEvent) => {
      if (e.kind === "started") {
        follow(e.requestId, e.code, true)?.events.push({ kind: "execute-input", executionCount: e.executionCount, at: e.at });
        return;
      }
      const f = followed.get(e.requestId);
      if (!f) return;
      if (e.kind === "event") f.events.push(e.event);
      else if (e.kind === "input") ask(f, e.request);
      else end(e.requestId, f, e.at);
    };

    // Live messages wait here until the journal is in, so none falls between the two.
    let buffered: OtherExecutionEvent[] | null = [];
    const stop = kernel.onOtherExecution((e) => (buffered ? buffered.push(e) : handle(e)));
    const stopAnswers = kernel.onInputAnsweredElsewhere((inputId, value) => dispatch({ type: "input-answered", inputId, value }));

    const replay = (records: RecordedExecution[]) => {
      const pending = buffered ?? [];
      buffered = null;
      // Live messages the journal already holds arrived here too: for a replayed run, skip them up
      // to its last journalled message (all of them if it had ended).
      const inBuffer = new Set(pending.map((e) => e.msgId));
      const skipUntil = new Map<string, string | null>();
      for (const record of records) {
        const f = follow(record.requestId, record.code, record.requesterAttached, record);
        if (!f) continue;
        if (record.executionCount !== null) f.events.push({ kind: "execute-input", executionCount: record.executionCount, at: record.started });
        for (const event of record.events) f.events.push(event);
        if (!record.running) end(record.requestId, f, record.ended);
        else if (record.input) ask(f, record.input);
        // null: skip them all (the run had ended); an id: skip through it; '': skip none.
        let skip: string | null = "";
        if (!record.running) skip = null;
        else if (inBuffer.has(record.lastMsgId)) skip = record.lastMsgId;
        skipUntil.set(record.requestId, skip);
      }
      for (const e of pending) {
        // The journal records iopub only, so no prompt is in it (one for a run that ended is dropped by handle).
        if (e.kind === "input") {
          handle(e);
          continue;
        }
        const last = skipUntil.get(e.requestId);
        if (last === null) continue;
        if (last) {
          if (e.msgId === last) skipUntil.set(e.requestId, "");
          continue;
        }
        handle(e);
      }
    };
    kernel.recordedExecutions().then(replay, (e: unknown) => {
      onError(e instanceof Error ? e.message : String(e));
      replay([]);
    });

    return () => {
      stop();
      stopAnswers();
      for (const f of followed.values()) f.events.cancel();
    };
  }, [kernel, cells, dispatch, batchMs, onError]);
}
