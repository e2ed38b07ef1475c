import { applyOutputEvent, type CellOutputEvent, type OutputState } from "../../contracts/outputs.ts";
import { DEFAULT_JOURNAL_LIMITS, trimStream } from "../kernels/output-journal.ts";

/** How much of one cell's outputs the runner keeps and stores. */
export interface OutputLimits {
  /** Characters of one stream output; older text gives way (as in the output journal). */
  streamChars: number;
  /** Outputs of one cell; the oldest give way. */
  outputs: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { streamChars: DEFAULT_JOURNAL_LIMITS.streamChars, outputs: 1000 };

export const NO_OUTPUTS: OutputState = { outputs: [], clearPending: false };

/**
 * The shared reducer (contracts/outputs.ts), then the limits: a stream past its budget is cut to
 * three quarters of it, so a chatty cell pays for the cut once per quarter of the budget, not per chunk.
 */
export function applyBounded(state: OutputState, event: CellOutputEvent, limits: OutputLimits): OutputState {
  const next = applyOutputEvent(state, event);
  let outputs = next.outputs;
  const last = outputs.at(-1);
  if (last?.output_type === "stream" && last.text.length > limits.streamChars) {
    outputs = [...outputs.slice(0, -1), { ...last, text: trimStream(last.text, Math.floor(limits.streamChars * 0.75)) }];
  }
  if (outputs.length > limits.outputs) outputs = outputs.slice(outputs.length - limits.outputs);
  return outputs === next.outputs ? next : { ...next, outputs };
}
