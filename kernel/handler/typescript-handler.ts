/**
 * TypeScript language semantics for the kernel: cells share the kernel's global state, print
 * through console/process streams, show their last expression, and stop on interrupt.
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute
 */
import { createRequire } from 'node:module';
import process from 'node:process';
import packageJson from '../../package.json' with { type: 'json' };
import type {
  CompleteReply,
  CompleteRequest,
  ExecuteReply,
  InspectReply,
  InspectRequest,
  IsCompleteReply,
  IsCompleteRequest,
  KernelInfoReply,
  Message,
  UserExpressionResult,
} from '../protocol/messages.ts';
import { PROTOCOL_VERSION } from '../protocol/messages.ts';
import { installWorkflowGlobals } from '../workflow/globals.ts';
import { installDisplayGlobals } from './display.ts';
import { evaluateCell, KeyboardInterrupt, type Completion } from './evaluate.ts';
import type { IOPubPublisher, JupyterHandler } from './handler.ts';
import { complete, inspect } from './introspect.ts';
import { render } from './mime-bundle.ts';
import { DISCARD, Output } from './output.ts';
import { CellSources, errorContent } from './traceback.ts';
import { CellSyntaxError, transformCell } from './transform.ts';

const TYPESCRIPT_VERSION = String(createRequire(import.meta.url)('typescript/package.json').version);

export class TypeScriptHandler implements JupyterHandler {
  readonly output = new Output();
  readonly #sources = new CellSources();
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
        show: (data, id) => this.output.publish('display_data', { data, metadata: {}, transient: { display_id: id } }),
        update: (data, id) => this.output.publish('update_display_data', { data, metadata: {}, transient: { display_id: id } }),
      },
      cellSignal: () => this.#running?.signal,
    });
  }

  kernelInfo(): KernelInfoReply {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'lightbook-ts',
      implementation_version: packageJson.version,
      language_info: {
        name: 'typescript',
        version: TYPESCRIPT_VERSION,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        pygments_lexer: 'typescript',
        codemirror_mode: 'text/typescript',
        nbconvert_exporter: 'script',
      },
      banner: `Lightbook TypeScript kernel (Node.js ${process.version}, TypeScript ${TYPESCRIPT_VERSION} syntax, types not checked)`,
      debugger: false,
      help_links: [{ text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' }],
    };
  }

  async execute(request: Message<'execute_request'>, iopub: IOPubPublisher): Promise<ExecuteReply> {
    const { code, silent = false, user_expressions = {} } = request.content;
    const storeHistory = !silent && (request.content.store_history ?? true);
    if (storeHistory) this.#executionCount += 1;
    const count = this.#executionCount;
    const filename = storeHistory ? `<cell-${count}>` : `<eval-${++this.#unnumberedRuns}>`;
    const previousTarget = this.output.target;
    this.output.setTarget(silent ? DISCARD : iopub);
    if (!silent) this.output.publish('execute_input', { code, execution_count: count });
    try {
      const completion = await this.#runInterruptibly(code, filename);
      if (completion && completion.value !== undefined && !silent) {
        this.output.publish('execute_result', { execution_count: count, ...render(completion.value) });
      }
      return {
        status: 'ok',
        execution_count: count,
        user_expressions: await this.#evaluateUserExpressions(user_expressions),
        payload: [],
      };
    } catch (e: unknown) {
      const error = errorContent(e, this.#sources, filename);
      this.output.publish('error', error);
      return { status: 'error', execution_count: count, ...error };
    } finally {
      this.output.flush();
      // Output of timers a silent run started still belongs to the last visible cell.
      if (silent) this.output.setTarget(previousTarget);
    }
  }

  isComplete({ code }: IsCompleteRequest): IsCompleteReply {
    try {
      transformCell(code);
      return { status: 'complete' };
    } catch (e: unknown) {
      if (!(e instanceof CellSyntaxError)) return { status: 'unknown' };
      if (!e.atEndOfInput) return { status: 'invalid' };
      const lastLine = code.split('\n').at(-1) ?? '';
      const indent = /^\s*/.exec(lastLine)?.[0] ?? '';
      return { status: 'incomplete', indent: /[{([]\s*$/.test(lastLine) ? `${indent}  ` : indent };
    }
  }

  complete(content: CompleteRequest): CompleteReply {
    return complete(content);
  }

  inspect(content: InspectRequest): InspectReply {
    return inspect(content);
  }

  /** Abandons the running cell: its reply is a KeyboardInterrupt error; its pending work is left to finish or never. */
  interrupt(): void {
    this.#running?.abort(new KeyboardInterrupt());
  }

  /** Errors no cell awaits (unhandled rejections, throws in timer callbacks) go to stderr; the kernel lives on. */
  reportUncaught(what: string, error: unknown): void {
    const { traceback } = errorContent(error, this.#sources);
    this.output.write('stderr', `${what}: ${traceback.join('\n')}\n`);
  }

  async #runInterruptibly(code: string, filename: string): Promise<Completion | undefined> {
    const controller = new AbortController();
    this.#running = controller;
    this.#onCellRunning(true);
    const interrupted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      return await Promise.race([evaluateCell(code, filename, this.#sources, controller.signal), interrupted]);
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
        results[name] = { status: 'ok', ...render(completion?.value) };
      } catch (e: unknown) {
        results[name] = { status: 'error', ...errorContent(e, this.#sources, filename) };
      }
    }
    return results;
  }
}
