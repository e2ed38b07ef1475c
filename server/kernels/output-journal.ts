import type { Header, Message } from "../../kernel/protocol/messages.ts";
import type { ManagedKernel } from "./managed-kernel.ts";

/** What the journal needs of a kernel: its id, its iopub stream and its stdin prompts and answers. */
export type ObservedKernel = Pick<ManagedKernel, "id" | "observe" | "watchStdin">;

/**
 * The server's record of what each execution printed, kept whether or not a browser is attached
 * (issue #6, "nothing lost"): a page that was closed during a run replays it on reopening, then
 * follows the rest live. Only output-bearing iopub messages are kept, as the kernel sent them;
 * the web app reduces them to nbformat outputs with the same code it uses for live messages.
 */

/** One output-bearing iopub message. */
export interface JournalMessage {
  msg_id: string;
  msg_type: string;
  date: string;
  content: unknown;
}

export interface RecordedExecution {
  /** msg_id of the execute_request. */
  request_id: string;
  /** The client session that sent it: while that client is attached, it saves the outputs. */
  session: string;
  /** As the kernel echoed it in execute_input: how a client finds the cell. */
  code: string;
  execution_count: number | null;
  state: "running" | "done";
  started: string | null;
  ended: string | null;
  messages: JournalMessage[];
  /**
   * The last iopub message of this execution that the journal has seen (of any type). A client
   * that was listening before it fetched the journal skips its own copies up to this one.
   */
  last_msg_id: string;
  /** The `input()` prompt the execution waits on, so a page opened meanwhile can answer it (its header is the reply's parent). */
  input: { header: Header; prompt: string; password: boolean } | null;
}

export interface JournalLimits {
  /** Executions kept per kernel, most recent last. */
  executions: number;
  /** Characters of stream text kept per execution and stream; older text gives way. */
  streamChars: number;
}

const DEFAULT_LIMITS: JournalLimits = { executions: 100, streamChars: 4_000_000 };

const OUTPUT_TYPES = new Set(["stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Keeps the end of a stream that outgrew its budget, saying how much went. */
function trimStream(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.indexOf("\n", text.length - max);
  const kept = text.slice(cut < 0 ? text.length - max : cut + 1);
  return `[… ${text.length - kept.length} earlier characters were dropped by the server]\n${kept}`;
}

export class OutputJournal {
  private readonly kernels = new Map<string, RecordedExecution[]>();

  constructor(private readonly limits: JournalLimits = DEFAULT_LIMITS) {}

  /** Starts recording a kernel; returns a function that stops and forgets it. */
  attach(kernel: ObservedKernel): () => void {
    const executions: RecordedExecution[] = [];
    this.kernels.set(kernel.id, executions);
    const stop = kernel.observe((msg) => this.record(executions, msg));
    const stopStdin = kernel.watchStdin((msg) => this.recordStdin(executions, msg));
    return () => {
      stop();
      stopStdin();
      this.kernels.delete(kernel.id);
    };
  }

  /** Recorded executions of a kernel, oldest first (empty for an unknown kernel). */
  executions(kernelId: string): RecordedExecution[] {
    return this.kernels.get(kernelId) ?? [];
  }

  private record(executions: RecordedExecution[], msg: Message): void {
    const parent = msg.parent_header;
    if (msg.channel !== "iopub" || !("msg_id" in parent) || parent.msg_type !== "execute_request") return;
    const type = msg.header.msg_type;
    const content: unknown = msg.content;
    if (type === "execute_input" && isRecord(content)) {
      executions.push({
        request_id: parent.msg_id,
        session: parent.session,
        code: typeof content.code === "string" ? content.code : "",
        execution_count: typeof content.execution_count === "number" ? content.execution_count : null,
        state: "running",
        started: msg.header.date,
        ended: null,
        messages: [],
        last_msg_id: msg.header.msg_id,
        input: null,
      });
      if (executions.length > this.limits.executions) executions.splice(0, executions.length - this.limits.executions);
      return;
    }
    const execution = executions.findLast((e) => e.request_id === parent.msg_id);
    if (!execution) return;
    execution.last_msg_id = msg.header.msg_id;
    if (type === "status" && isRecord(content) && content.execution_state === "idle") {
      execution.state = "done";
      execution.ended = msg.header.date;
      execution.input = null;
      return;
    }
    if (!OUTPUT_TYPES.has(type)) return;
    const last = execution.messages.at(-1);
    // Consecutive chunks of one stream become one message, so a chatty cell stays one entry.
    if (type === "stream" && last?.msg_type === "stream" && isRecord(content) && isRecord(last.content) && content.name === last.content.name && typeof content.text === "string") {
      last.content = { ...last.content, text: trimStream(`${String(last.content.text)}${content.text}`, this.limits.streamChars) };
      return;
    }
    execution.messages.push({ msg_id: msg.header.msg_id, msg_type: type, date: msg.header.date, content });
  }

  /** A prompt is pending from its input_request (child of the execute_request) to the input_reply to it. */
  private recordStdin(executions: RecordedExecution[], msg: Message): void {
    const parent = msg.parent_header;
    if (!("msg_id" in parent)) return;
    const content: unknown = msg.content;
    if (msg.header.msg_type === "input_request" && isRecord(content)) {
      const execution = executions.findLast((e) => e.request_id === parent.msg_id && e.state === "running");
      if (execution) execution.input = { header: msg.header, prompt: String(content.prompt ?? ""), password: content.password === true };
    } else if (msg.header.msg_type === "input_reply") {
      for (const e of executions) if (e.input?.header.msg_id === parent.msg_id) e.input = null;
    }
  }
}
