"use client";

import { type FormEvent, useState } from "react";
import { errorMessage } from "../lib/jupyter";

export interface AdminAction {
  busy: boolean;
  error: string | null;
  /** Awaits `action`, then `after()` (reload the list); false if it failed (its error shown). */
  run: (action: () => Promise<unknown>) => Promise<boolean>;
  /** A form's submit handler: `action` gets its fields; the form is cleared once it succeeded and keeps what was typed if not. */
  submit: (action: (fields: Record<string, string>) => Promise<unknown>) => (e: FormEvent<HTMLFormElement>) => void;
}

/** One admin action at a time with its error shown. */
export function useAdminAction(after: () => void): AdminAction {
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
  const submit = (action: (fields: Record<string, string>) => Promise<unknown>) => (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    void run(() => action(formFields(form))).then((done) => done && form.reset());
  };
  return { busy, error, run, submit };
}

/** The last action's error, where screen readers hear it. */
export function ActionError({ error }: { error: string | null }) {
  return error ? (
    <p className="notice" role="alert">
      {error}
    </p>
  ) : null;
}

/** A form's text fields by name; empty ones left out, so the server's defaults apply. */
function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === "string" && v.trim() !== "") fields[k] = v.trim();
  return fields;
}
