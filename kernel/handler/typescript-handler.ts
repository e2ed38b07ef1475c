/**
 * TypeScript language semantics for the kernel: cells share the kernel's global state, print
 * through console/process streams, show their last expression, and stop on interrupt.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute
 */
import { createRequire } from "node:module";
import process from "node:process";
import packageJson from "../../package.json" with { type: "json" };
import type {
  CommInfoReply,
  CommInfoRequest,
  CompleteReply,
  CompleteRequest,
  ExecuteReply,
  HistoryReply,
  HistoryRequest,
  InspectReply,
  InspectRequest,
  IsCompleteReply,
  IsCompleteRequest,
  KernelInfoReply,
  Message,
  UserExpressionResult,
} from "../protocol/messages.ts";
import { isCommCloseMessage, isCommMsgMessage, isCommOpenMessage, PROTOCOL_VERSION } from "../protocol/messages.ts";
import { installWorkflowGlobals } from "../workflow/globals.ts";
import { installDisplayGlobals } from "./display.ts";
import { evaluateCell, KeyboardInterrupt, type Completion } from "./evaluate.ts";
import type { IOPubPublisher, JupyterHandler } from "./handler.ts";
import { LanguageClient } from "../language/language-client.ts";
import type { CellDiagnostic } from "../language/session-service.ts";
import { CommManager } from "./comms.ts";
import { codePointOffset, utf16Offset } from "./cursor.ts";
import { defineGlobals } from "./define-globals.ts";
import { History } from "./history.ts";
import { inputFunction, type StdinRequester } from "./stdin.ts";
import { cellMagics } from "./magics.ts";
import { render } from "./mime-bundle.ts";
import { DISCARD, Output } from "./output.ts";
import { CellSources, errorContent } from "./traceback.ts";
import { CellSyntaxError, transformCell } from "./transform.ts";
import { TypeCheckError, typeErrorWarning } from "./type-errors.ts";

const TYPESCRIPT_VERSION = String(createRequire(import.meta.url)("typescript/package.json").version);

export class TypeScriptHandler implements JupyterHandler {
  readonly output = new Output();
  readonly #sources = new CellSources();
  readonly #history = new History();
  readonly #comms = new CommManager(this.output);
  /** The running cell's stdin, if its request allows input. */
  #stdin: StdinRequester | undefined;
  /** The TypeScript language service over the session's cells, in a worker thread. */
  readonly #language = new LanguageClient(process.cwd());
  #executionCount = 0;
  /** Names cells run without storing history (`<eval-N>`), which get no execution count. */
  #unnumberedRuns = 0;
  /** Aborts the running cell; set only while one runs. */
  #running: AbortController | undefined;

  readonly #onCellRunning: (running: boolean) => void;

  /** `onCellRunning` is told when a cell starts and stops (main.ts adjusts signal handling). */
  constructor(options: { onCellRunning?: (running: boolean) => void } = {}) {
    this.#onCellRunning = options.onCellRunning ?? (() => undefined);
    installDisplayGlobals(this.output);
    // workflow.map's progress display, and its cancel when the cell that called it is interrupted.
    installWorkflowGlobals({
      display: {
        show: (data, id) => this.output.publish("display_data", { data, metadata: {}, transient: { display_id: id } }),
        update: (data, id) => this.output.publish("update_display_data", { data, metadata: {}, transient: { display_id: id } }),
      },
      cellSignal: () => this.#running?.signal,
    });
    defineGlobals({
      comms: this.#comms,
      input: inputFunction(
        () => this.#stdin,
        () => this.output.flush(),
      ),
    });
  }

  kernelInfo(): KernelInfoReply {
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "lightbook-ts",
      implementation_version: packageJson.version,
      language_info: {
        name: "typescript",
        version: TYPESCRIPT_VERSION,
        mimetype: "text/typescript",
        file_extension: ".ts",
        pygments_lexer: "typescript",
        // CodeMirror 5's mode for TypeScript (classic Notebook loads codemirror/mode/<name>/<name>.js;
        // 'text/typescript' is no mode name, a 404); JupyterLab maps the name to its JavaScript mode.
        codemirror_mode: { name: "javascript", typescript: true },
        nbconvert_exporter: "script",
      },
      banner: `Lightbook TypeScript kernel (Node.js ${process.version}, TypeScript ${TYPESCRIPT_VERSION}; type errors are reported, %%strict stops on them)`,
      debugger: false,
      help_links: [{ text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" }],
    };
  }

  async execute(request: Message<"execute_request">, iopub: IOPubPublisher, stdin?: StdinRequester): Promise<ExecuteReply> {
    const { silent = false, user_expressions = {} } = request.content;
    const storeHistory = !silent && (request.content.store_history ?? true);
    if (storeHistory) this.#executionCount += 1;
    const count = this.#executionCount;
    const filename = storeHistory ? `<cell-${count}>` : `<eval-${++this.#unnumberedRuns}>`;
    const previousTarget = this.output.target;
    this.output.setTarget(silent ? DISCARD : iopub);
    if (!silent) this.output.publish("execute_input", { code: request.content.code, execution_count: count });
    this.#stdin = stdin;
    let output: string | null = null;
    try {
      const { code, strict } = cellMagics(request.content.code);
      // Checked in the language worker while the cell runs (see #runChecked for when errors show).
      const typeCheck = this.#language.request({ op: "check", code });
      const completion = await this.#runChecked(code, filename, typeCheck, strict);
      if (completion && completion.value !== undefined && !silent) {
        const result = render(completion.value);
        output = String(result.data["text/plain"]);
        this.output.publish("execute_result", { execution_count: count, ...result });
      }
      return {
        status: "ok",
        execution_count: count,
        user_expressions: await this.#evaluateUserExpressions(user_expressions),
        payload: [],
      };
    } catch (e: unknown) {
      const error = e instanceof TypeCheckError ? e.content() : errorContent(e, this.#sources, filename);
      this.output.publish("error", error);
      return { status: "error", execution_count: count, ...error };
    } finally {
      this.#stdin = undefined;
      if (storeHistory) this.#history.add(count, request.content.code, output);
      this.output.finish();
      // Output of timers a silent run started still belongs to the last visible cell.
      if (silent) this.output.setTarget(previousTarget);
    }
  }

  /**
   * Runs a cell with its type check: a strict cell runs only without type errors; any other runs
   * at once and gets the errors on stderr: before its result if the check is done by the time the
   * cell is, otherwise as a later stderr stream of the same cell (its reply does not wait for a
   * whole-session check). A cell that parsed joins the session's types.
   */
  async #runChecked(code: string, filename: string, typeCheck: Promise<CellDiagnostic[]>, strict: boolean): Promise<Completion | undefined> {
    if (strict) {
      const found = await typeCheck.catch((e: unknown) => {
        this.output.write("stderr", notCheckedNote(e));
        return [];
      });
      if (found.length > 0) throw new TypeCheckError(found, filename, code);
    }
    // A strict cell that runs has none.
    const note = strict ? undefined : settling(typeCheck.then((found) => (found.length > 0 ? typeErrorWarning(found, filename, code) : ""), notCheckedNote));
    const cellTarget = this.output.target;
    const warn = () => {
      if (!note) return;
      const settled = note.settled();
      if (settled) {
        if (settled.value) this.output.write("stderr", settled.value);
        return;
      }
      void note.promise.then((text) => {
        if (text) cellTarget?.publish("stream", { name: "stderr", text });
      });
    };
    try {
      const completion = await this.#runInterruptibly(code, filename);
      warn();
      return completion;
    } catch (e: unknown) {
      if (!(e instanceof CellSyntaxError)) warn();
      throw e;
    } finally {
      void this.#language.request({ op: "commit", code }).catch(() => undefined);
    }
  }

  isComplete({ code }: IsCompleteRequest): IsCompleteReply {
    try {
      transformCell(cellMagicsOrPlain(code).code);
      return { status: "complete" };
    } catch (e: unknown) {
      if (!(e instanceof CellSyntaxError)) return { status: "unknown" };
      if (!e.atEndOfInput) return { status: "invalid" };
      const lastLine = code.split("\n").at(-1) ?? "";
      const indent = /^\s*/.exec(lastLine)?.[0] ?? "";
      return { status: "incomplete", indent: /[{([]\s*$/.test(lastLine) ? `${indent}  ` : indent };
    }
  }

  async complete({ code, cursor_pos }: CompleteRequest): Promise<CompleteReply> {
    const { code: cell } = cellMagicsOrPlain(code);
    const result = await this.#language.request({ op: "complete", code: cell, cursor: utf16Offset(code, cursor_pos) });
    return {
      status: "ok",
      ...result,
      cursor_start: codePointOffset(code, result.cursor_start),
      cursor_end: codePointOffset(code, result.cursor_end),
    };
  }

  async inspect({ code, cursor_pos }: InspectRequest): Promise<InspectReply> {
    const { code: cell } = cellMagicsOrPlain(code);
    return { status: "ok", ...(await this.#language.request({ op: "inspect", code: cell, cursor: utf16Offset(code, cursor_pos) })) };
  }

  history(content: HistoryRequest): HistoryReply {
    return { status: "ok", history: this.#history.query(content) };
  }

  commInfo({ target_name }: CommInfoRequest): CommInfoReply {
    return { status: "ok", comms: this.#comms.info(target_name) };
  }

  comm(message: Message<"comm_open" | "comm_msg" | "comm_close">, iopub: IOPubPublisher): void {
    const previousTarget = this.output.target;
    this.output.setTarget(iopub);
    try {
      if (isCommOpenMessage(message)) this.#comms.opened(message);
      else if (isCommMsgMessage(message)) this.#comms.received(message);
      else if (isCommCloseMessage(message)) this.#comms.closed(message);
    } catch (e: unknown) {
      this.reportUncaught("Error in a comm handler", e);
    } finally {
      this.output.setTarget(previousTarget);
    }
  }

  /** Abandons the running cell: its reply is a KeyboardInterrupt error; it stops where it next resumes from an await (transform.ts), and timers or functions it started run on. */
  interrupt(): boolean {
    this.#running?.abort(new KeyboardInterrupt());
    return this.#running !== undefined;
  }

  /** Errors no cell awaits (unhandled rejections, throws in timer callbacks) go to stderr; the kernel lives on. */
  reportUncaught(what: string, error: unknown): void {
    const { traceback } = errorContent(error, this.#sources);
    this.output.write("stderr", `${what}: ${traceback.join("\n")}\n`);
  }

  async close(): Promise<void> {
    await this.#language.close();
  }

  async #runInterruptibly(code: string, filename: string): Promise<Completion | undefined> {
    const controller = new AbortController();
    this.#running = controller;
    this.#onCellRunning(true);
    const interrupted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    });
    try {
      // The cell starts in a microtask of its own, after this function awaits: an interrupt that
      // terminates JavaScript stuck in the cell (transport/control-worker.ts) then ends only the
      // cell's frames, and this race still settles.
      const evaluation = Promise.resolve().then(() => evaluateCell(code, filename, this.#sources, controller.signal));
      return await Promise.race([evaluation, interrupted]);
    } finally {
      this.#running = undefined;
      this.#onCellRunning(false);
    }
  }

  /** https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute (user_expressions) */
  async #evaluateUserExpressions(expressions: Record<string, string>): Promise<Record<string, UserExpressionResult>> {
    const results: Record<string, UserExpressionResult> = {};
    for (const [name, expression] of Object.entries(expressions)) {
      const filename = `<eval-${++this.#unnumberedRuns}>`;
      try {
        const completion = await this.#runInterruptibly(expression, filename);
        results[name] = { status: "ok", ...render(completion?.value) };
      } catch (e: unknown) {
        results[name] = { status: "error", ...errorContent(e, this.#sources, filename) };
      }
    }
    return results;
  }
}

function notCheckedNote(e: unknown): string {
  return `TypeScript: not checked (${e instanceof Error ? e.message : String(e)})\n`;
}

/** A promise and, once it has resolved, its value (synchronously). */
function settling<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => { value: T } | undefined } {
  let settled: { value: T } | undefined;
  void promise.then((value) => (settled = { value }));
  return { promise, settled: () => settled };
}

/** While typing, an unknown magic is not an error worth a failed completion. */
function cellMagicsOrPlain(code: string): { code: string } {
  try {
    return cellMagics(code);
  } catch {
    return { code };
  }
}
