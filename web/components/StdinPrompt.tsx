"use client";

import { useEffect, useRef } from "react";
import type { InputRequest } from "../lib/outputs";

/** The kernel's `input()` prompt inline in the cell's output, as JupyterLab shows it; Enter answers. */
export default function StdinPrompt({ request, onAnswer }: { request: InputRequest; onAnswer: (request: InputRequest, value: string) => void }) {
  const field = useRef<HTMLInputElement>(null);
  // The run is blocked until the user answers, so the cursor goes where the answer is typed;
  // not for another client's run, which would pull the cursor from whatever is being edited here.
  useEffect(() => {
    if (!request.remote) field.current?.focus();
  }, [request]);
  return (
    <div className="output-stdin" data-testid="stdin">
      <span className="output-stdin-prompt">{request.prompt}</span>
      <input
        ref={field}
        type={request.password ? "password" : "text"}
        aria-label={request.prompt}
        autoComplete="off"
        spellCheck={false}
        onKeyDown={(e) => {
          if (e.key !== "Enter") return;
          e.preventDefault();
          onAnswer(request, e.currentTarget.value);
        }}
      />
    </div>
  );
}
