import type { Message } from "../../kernel/protocol/messages.ts";
import type { RecordedExecution } from "../../contracts/journal.ts";
import type { ManagedKernel } from "./managed-kernel.ts";

export type { RecordedExecution };

/** What the journal needs of a kernel: its id, its iopub stream, its stdin prompts and answers, and the requests sent to it. */
export type ObservedKernel = Pick<ManagedKernel, "id" | "observe" | "watchStdin" | "observeSent">;

/**
 * Where the journal is kept across server restarts (journal-store.ts: PostgreSQL). `lastMsgId` is
 * the last iopub message the saved state accounts for; a reattaching server has the kernel replay
 * what came after it, so each message is recorded exactly once.
 */
export interface JournalStore {
  save(kernelId: string, change: { executions: (RecordedExecution & { seq: number })[]; removed: string[]; lastMsgId: string | null }): Promise<void>;
}

/**
 * The server's record of what each execution printed, kept whether or not a browser is attached
 * (issue #6, "nothing lost"): a page that was closed during a run replays it on reopening, then
 * follows the rest live. Only output-bearing iopub messages are kept, as the kernel sent them;
 * the web app reduces them to nbformat outputs with the same code it uses for live messages.
 * The shape of each record is contracts/journal.ts.
 */

export interface JournalLimits {
  /** Executions kept per kernel, most recent last. */
  executions: number;
  /** Characters of stream text kept per execution and stream; older text gives way. */
  streamChars: number;
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = { executions: 100, streamChars: 4_000_000 };
/** Changes are written in batches this often: a chatty cell is not one database write per chunk. */
const FLUSH_MS = 50;
/** execute_requests sent whose execute_input has not come yet (their cell ids), per kernel. */
const PENDING_REQUESTS = 1000;

const OUTPUT_TYPES = new Set(["stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Keeps the end of a stream that outgrew its budget, saying how much went. */
export function trimStream(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.indexOf("\n", text.length - max);
  const kept = text.slice(cut < 0 ? text.length - max : cut + 1);
  return `[… ${text.length - kept.length} earlier characters were dropped by the server]\n${kept}`;
}

/** One kernel's journal, and what of it is not saved yet. */
class KernelJournal {
  readonly executions: RecordedExecution[] = [];
  readonly seqs = new WeakMap<RecordedExecution, number>();
  nextSeq = 0;
  readonly dirty = new Set<RecordedExecution>();
  readonly removed = new Set<string>();
  lastMsgId: string | null = null;
  /** request msg_id → its cellId and notebook path, until its execute_input arrives. */
  readonly pending = new Map<string, { cellId: string | null; notebookPath: string | null }>();
  timer: NodeJS.Timeout | undefined;
  saving: Promise<void> = Promise.resolve();
  forgotten = false;

  add(execution: RecordedExecution, seq = this.nextSeq): void {
    this.executions.push(execution);
    this.seqs.set(execution, seq);
    this.nextSeq = seq + 1;
  }
}

export interface OutputJournalOptions {
  store?: JournalStore;
  /** The notebook whose session holds the kernel (sessions/manager.ts). */
  notebookPathOf?: (kernelId: string) => string | null;
  onSaveError?: (kernelId: string, error: unknown) => void;
}

export class OutputJournal {
  private readonly kernels = new Map<string, KernelJournal>();
  /** Set once the session manager exists (it depends on the kernel manager that owns the journal). */
  notebookPathOf: (kernelId: string) => string | null;

  constructor(
    private readonly limits: JournalLimits = DEFAULT_JOURNAL_LIMITS,
    private readonly options: OutputJournalOptions = {},
  ) {
    this.notebookPathOf = options.notebookPathOf ?? (() => null);
  }

  /**
   * Starts recording a kernel, after the executions saved before a restart (oldest first, with
   * their order numbers); returns a function that stops and forgets it.
   */
  attach(kernel: ObservedKernel, saved: { execution: RecordedExecution; seq: number }[] = [], lastMsgId: string | null = null): () => void {
    const journal = new KernelJournal();
    for (const { execution, seq } of saved) journal.add(execution, seq);
    journal.lastMsgId = lastMsgId;
    this.kernels.set(kernel.id, journal);
    const stop = kernel.observe((msg) => this.record(kernel.id, journal, msg));
    const stopStdin = kernel.watchStdin((msg) => this.recordStdin(kernel.id, journal, msg));
    const stopSent = kernel.observeSent((msg) => this.noteRequest(kernel.id, journal, msg));
    return () => {
      stop();
      stopStdin();
      stopSent();
      clearTimeout(journal.timer);
      journal.forgotten = true;
      this.kernels.delete(kernel.id);
    };
  }

  /** Recorded executions of a kernel, oldest first (empty for an unknown kernel). */
  executions(kernelId: string): RecordedExecution[] {
    return this.kernels.get(kernelId)?.executions ?? [];
  }

  /** Writes what is not saved yet (the server stops): resolves once every kernel's journal is stored. */
  async flush(): Promise<void> {
    await Promise.all([...this.kernels].map(([id, journal]) => this.save(id, journal)));
  }

  private noteRequest(kernelId: string, journal: KernelJournal, msg: Message): void {
    if (msg.header.msg_type !== "execute_request") return;
    const cellId = msg.metadata.cellId;
    journal.pending.set(msg.header.msg_id, { cellId: typeof cellId === "string" ? cellId : null, notebookPath: this.notebookPathOf(kernelId) });
    if (journal.pending.size > PENDING_REQUESTS) journal.pending.delete(journal.pending.keys().next().value!);
  }

  private changed(kernelId: string, journal: KernelJournal, execution: RecordedExecution): void {
    journal.dirty.add(execution);
    if (!this.options.store || journal.timer) return;
    journal.timer = setTimeout(() => void this.save(kernelId, journal), FLUSH_MS);
  }

  /** One save at a time per kernel, of a snapshot taken synchronously, so `lastMsgId` matches what is saved. */
  private save(kernelId: string, journal: KernelJournal): Promise<void> {
    clearTimeout(journal.timer);
    journal.timer = undefined;
    const store = this.options.store;
    if (!store || journal.forgotten || (journal.dirty.size === 0 && journal.removed.size === 0)) return journal.saving;
    const dirty = [...journal.dirty];
    const executions = dirty.map((e) => ({ ...structuredClone(e), seq: journal.seqs.get(e) ?? 0 }));
    const removed = [...journal.removed];
    const lastMsgId = journal.lastMsgId;
    journal.dirty.clear();
    journal.removed.clear();
    journal.saving = journal.saving.then(async () => {
      if (journal.forgotten) return;
      try {
        await store.save(kernelId, { executions, removed, lastMsgId });
      } catch (e: unknown) {
        if (journal.forgotten) return;
        // Saved again with the next change: nothing recorded is dropped for one failed write.
        for (const e of dirty) if (journal.executions.includes(e)) journal.dirty.add(e);
        for (const id of removed) journal.removed.add(id);
        this.options.onSaveError?.(kernelId, e);
      }
    });
    return journal.saving;
  }

  private record(kernelId: string, journal: KernelJournal, msg: Message): void {
    if (msg.channel !== "iopub") return;
    journal.lastMsgId = msg.header.msg_id;
    const executions = journal.executions;
    const parent = msg.parent_header;
    if (!("msg_id" in parent) || parent.msg_type !== "execute_request") return;
    const type = msg.header.msg_type;
    const content: unknown = msg.content;
    if (type === "execute_input" && isRecord(content)) {
      const request = journal.pending.get(parent.msg_id);
      journal.pending.delete(parent.msg_id);
      const execution: RecordedExecution = {
        request_id: parent.msg_id,
        session: parent.session,
        code: typeof content.code === "string" ? content.code : "",
        execution_count: typeof content.execution_count === "number" ? content.execution_count : null,
        state: "running",
        started: msg.header.date,
        ended: null,
        messages: [],
        last_msg_id: msg.header.msg_id,
        cell_id: request?.cellId ?? null,
        notebook_path: request?.notebookPath ?? this.notebookPathOf(kernelId),
        input: null,
      };
      journal.add(execution);
      this.changed(kernelId, journal, execution);
      if (executions.length > this.limits.executions) {
        for (const old of executions.splice(0, executions.length - this.limits.executions)) {
          journal.dirty.delete(old);
          journal.removed.add(old.request_id);
        }
      }
      return;
    }
    const execution = executions.findLast((e) => e.request_id === parent.msg_id);
    if (!execution) return;
    execution.last_msg_id = msg.header.msg_id;
    this.changed(kernelId, journal, execution);
    if (type === "status" && isRecord(content) && content.execution_state === "idle") {
      execution.state = "done";
      execution.ended = msg.header.date;
      execution.input = null;
      return;
    }
    if (!OUTPUT_TYPES.has(type)) return;
    const last = execution.messages.at(-1);
    // Consecutive chunks of one stream become one message, so a chatty cell stays one entry.
    if (
      type === "stream" &&
      last?.msg_type === "stream" &&
      isRecord(content) &&
      isRecord(last.content) &&
      content.name === last.content.name &&
      typeof content.text === "string"
    ) {
      last.content = { ...last.content, text: trimStream(`${String(last.content.text)}${content.text}`, this.limits.streamChars) };
      return;
    }
    execution.messages.push({ msg_id: msg.header.msg_id, msg_type: type, date: msg.header.date, content });
  }

  /** A prompt is pending from its input_request (child of the execute_request) to the input_reply to it. */
  private recordStdin(kernelId: string, journal: KernelJournal, msg: Message): void {
    const parent = msg.parent_header;
    if (!("msg_id" in parent)) return;
    const content: unknown = msg.content;
    if (msg.header.msg_type === "input_request" && isRecord(content)) {
      const execution = journal.executions.findLast((e) => e.request_id === parent.msg_id && e.state === "running");
      if (!execution) return;
      execution.input = { header: msg.header, prompt: String(content.prompt ?? ""), password: content.password === true };
      this.changed(kernelId, journal, execution);
    } else if (msg.header.msg_type === "input_reply") {
      for (const e of journal.executions) {
        if (e.input?.header.msg_id !== parent.msg_id) continue;
        e.input = null;
        this.changed(kernelId, journal, e);
      }
    }
  }
}
