"use client";

import { useCallback, useEffect, useState } from "react";
import { ApiError, errorMessage } from "./jupyter";

export interface Polled<T> {
  value: T | null;
  error: string | null;
  /** When `value` was loaded (client clock), so elapsed times of unfinished work are measured to then. */
  loadedAt: number;
  /** Loads again now (e.g. after an action), and resumes polling if it had stopped. */
  refresh: () => void;
}

/**
 * Calls `load` now and then every `everyMs` (a number, or a stable function of the last value) while
 * `again(value)` holds; a failed load (server restarting, network gone) is shown and retried
 * after the last interval, except a 404. A new `load` (new filter, new id) starts over.
 */
export function usePolling<T>(load: () => Promise<T>, everyMs: number | ((value: T) => number), again: (value: T) => boolean = () => true): Polled<T> {
  const [state, setState] = useState<{ value: T | null; error: string | null; loadedAt: number }>({ value: null, error: null, loadedAt: 0 });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let interval = typeof everyMs === "number" ? everyMs : 1000;
    const tick = async () => {
      let more: boolean;
      try {
        const value = await load();
        if (stopped) return;
        setState({ value, error: null, loadedAt: Date.now() });
        more = again(value);
        if (typeof everyMs === "function") interval = everyMs(value);
      } catch (e: unknown) {
        if (stopped) return;
        setState((s) => ({ ...s, error: errorMessage(e) }));
        // What is not there (a deleted run, a mistyped id) will not appear by asking again.
        more = !(e instanceof ApiError && e.status === 404);
      }
      if (more) timer = setTimeout(() => void tick(), interval);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `again` only judges a loaded value: a new function for it alone need not restart polling.
  }, [load, everyMs, generation]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, refresh };
}
