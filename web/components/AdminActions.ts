"use client";

import { useState } from "react";
import { errorMessage } from "../lib/jupyter";

/**
 * One admin action at a time with its error shown: `run(action)` awaits it, then `after()`
 * (reload the list). Forms keep what was typed when the server refuses it.
 */
export function useAdminAction(after: () => void): { busy: boolean; error: string | null; run: (action: () => Promise<unknown>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      after();
      return true;
    } catch (e: unknown) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** A form's text fields by name; empty ones left out, so the server's defaults apply. */
export function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === "string" && v.trim() !== "") fields[k] = v.trim();
  return fields;
}
