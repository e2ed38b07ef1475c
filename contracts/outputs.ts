// Cell outputs from iopub messages: nbformat output shapes plus the transient display id, and the
// rules Jupyter front ends apply when messages arrive. One reducer for the page that shows them
// live (web/) and the server's runner that stores them (server/notebooks/), so both agree.
// Messages: https://jupyter-client.readthedocs.io/en/latest/messaging.html#messages-on-the-iopub-pub-sub-channel

import { isJsonObject } from "./json.ts";
import { readMimeBundle, readOutput, type JsonObject, type MimeBundle, type NbOutput } from "./notebook.ts";

/** An output as shown; `displayId` (from `transient`) is never saved. */
export type Output = NbOutput & { displayId?: string };

/** What the API layer reports for one execution, already checked and normalized. */
export type OutputEvent =
  | { kind: "output"; output: Output }
  | { kind: "update-display"; displayId: string; data: MimeBundle; metadata: JsonObject }
  | { kind: "clear"; wait: boolean }
  /** `at`: when the kernel started the code (the message's header date), if it said. */
  | { kind: "execute-input"; executionCount: number; at: string | null };

export interface OutputState {
  outputs: Output[];
  /** `clear_output(wait=True)` clears only when the next output arrives, avoiding flicker. */
  clearPending: boolean;
}

/**
 * Applies what a terminal does with `\r` (progress bars): text after it overwrites the line from
 * its start. A trailing `\r` is kept, since the text that overwrites may come in the next chunk.
 */
function applyCarriageReturns(text: string): string {
  if (!text.includes("\r")) return text;
  return text
    .replace(/\r+\n/g, "\n")
    .split("\n")
    .map((line) => {
      const parts = line.split("\r");
      const shown = parts.reduce((acc, part) => part + acc.slice(part.length), "");
      return line.endsWith("\r") ? `${shown}\r` : shown;
    })
    .join("\n");
}

/**
 * Appends a stream chunk. Only the previous text's last line can be overwritten by a `\r` in the
 * chunk, so only that line is reprocessed: a cell printing 100k lines in many chunks stays linear.
 */
function appendStreamText(previous: string, chunk: string): string {
  if (!chunk.includes("\r") && !previous.endsWith("\r")) return previous + chunk;
  const lineStart = previous.lastIndexOf("\n") + 1;
  return previous.slice(0, lineStart) + applyCarriageReturns(previous.slice(lineStart) + chunk);
}

function append(outputs: Output[], output: Output): Output[] {
  const last = outputs[outputs.length - 1];
  // Consecutive chunks of one stream are one output, as in nbformat files written by Jupyter.
  if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
    return [...outputs.slice(0, -1), { ...last, text: appendStreamText(last.text, output.text) }];
  }
  if (output.output_type === "stream") return [...outputs, { ...output, text: applyCarriageReturns(output.text) }];
  return [...outputs, output];
}

/** Events that change a cell's outputs (the execution count is handled by the notebook). */
export type CellOutputEvent = Exclude<OutputEvent, { kind: "execute-input" }>;

/**
 * Reduces one event of a cell's execution into that cell's outputs. Display updates arrive on the
 * execution that first showed the display id (@jupyterlab/services routes them there), so applying
 * them to the receiving cell covers displays updated from other cells too.
 */
export function applyOutputEvent(state: OutputState, event: CellOutputEvent): OutputState {
  switch (event.kind) {
    case "output": {
      const base = state.clearPending ? [] : state.outputs;
      return { outputs: append(base, event.output), clearPending: false };
    }
    case "clear":
      return event.wait ? { ...state, clearPending: true } : { outputs: [], clearPending: false };
    case "update-display":
      return { ...state, outputs: updateDisplay(state.outputs, event.displayId, event.data, event.metadata) };
  }
}

/** Replaces the data of every output that carries this display id. */
function updateDisplay(outputs: Output[], displayId: string, data: MimeBundle, metadata: JsonObject): Output[] {
  if (!outputs.some((o) => o.displayId === displayId)) return outputs;
  return outputs.map((o) =>
    o.displayId === displayId && (o.output_type === "display_data" || o.output_type === "execute_result") ? { ...o, data, metadata } : o,
  );
}

/** The exact nbformat v4 shape, without transient fields. */
export function toNbOutput(output: Output): NbOutput {
  switch (output.output_type) {
    case "stream":
      return { output_type: "stream", name: output.name, text: output.text };
    case "display_data":
      return { output_type: "display_data", data: output.data, metadata: output.metadata };
    case "execute_result":
      return { output_type: "execute_result", execution_count: output.execution_count, data: output.data, metadata: output.metadata };
    case "error":
      return { output_type: "error", ename: output.ename, evalue: output.evalue, traceback: output.traceback };
  }
}

function transientDisplayId(content: JsonObject): string | undefined {
  const transient = content.transient;
  return isJsonObject(transient) && typeof transient.display_id === "string" ? transient.display_id : undefined;
}

/**
 * Checks one iopub message from the kernel and turns it into an event, or null for message types
 * that do not touch outputs (status, comms…). Throws InvalidNotebookError on a malformed message.
 */
export function outputEventFromMessage(msgType: string, content: unknown, date: string | null = null): OutputEvent | null {
  if (!isJsonObject(content)) return null;
  switch (msgType) {
    case "stream":
    case "display_data":
    case "execute_result":
    case "error": {
      const output: Output = readOutput({ ...content, output_type: msgType }, `${msgType} message`);
      const displayId = transientDisplayId(content);
      if (displayId !== undefined && output.output_type !== "stream" && output.output_type !== "error") output.displayId = displayId;
      return { kind: "output", output };
    }
    case "update_display_data": {
      const displayId = transientDisplayId(content);
      if (displayId === undefined || !isJsonObject(content.data)) return null;
      const metadata = isJsonObject(content.metadata) ? content.metadata : {};
      return { kind: "update-display", displayId, data: readMimeBundle(content.data, `${msgType} message`), metadata };
    }
    case "clear_output":
      return { kind: "clear", wait: content.wait === true };
    case "execute_input":
      return typeof content.execution_count === "number" ? { kind: "execute-input", executionCount: content.execution_count, at: date } : null;
    default:
      return null;
  }
}
