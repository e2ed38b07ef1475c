/**
 * The session's input history, for history_request: entries of cells run with store_history.
 * One kernel process is one history session (numbered 1); there is no history database, so
 * earlier sessions are empty. https://jupyter-client.readthedocs.io/en/latest/messaging.html#history
 */
import type { HistoryEntry, HistoryRequest } from "../protocol/messages.ts";

const SESSION = 1;

interface Entry {
  line: number;
  input: string;
  /** text/plain of the execute_result, if the cell had one. */
  output: string | null;
}

/** A glob as IPython's history search takes it: `*` any run of characters, `?` any one. */
function globPattern(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${escaped}$`, "s");
}

export class History {
  readonly #entries: Entry[] = [];

  add(line: number, input: string, output: string | null): void {
    this.#entries.push({ line, input, output });
  }

  query(request: HistoryRequest): HistoryEntry[] {
    const ofSession = request.session === undefined || request.session <= 0 || request.session === SESSION;
    let entries = ofSession ? this.#entries : [];
    if (request.hist_access_type === "range") {
      const start = request.start ?? 1;
      const stop = request.stop ?? Number.POSITIVE_INFINITY;
      entries = entries.filter(({ line }) => line >= start && line < stop);
    } else if (request.hist_access_type === "search") {
      const match = globPattern(request.pattern ?? "*");
      entries = entries.filter(({ input }) => match.test(input));
    }
    if (request.unique) {
      const seen = new Set<string>();
      // The newest occurrence of each input is the one kept.
      entries = entries
        .toReversed()
        .filter(({ input }) => !seen.has(input) && seen.add(input))
        .toReversed();
    }
    if (request.hist_access_type !== "range" && request.n !== undefined) entries = entries.slice(-request.n);
    return entries.map(({ line, input, output }) => (request.output ? [SESSION, line, [input, output]] : [SESSION, line, input]));
  }
}
