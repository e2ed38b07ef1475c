/**
 * The server's runs API as cells reach it: the server hands each kernel LIGHTBOOK_API_URL and
 * LIGHTBOOK_TOKEN. `fetch` is passed in, so the same code runs under test.
 */
import { z } from "zod";
import { agentModel, type AgentModel } from "../../contracts/agents.ts";
import { parseContract } from "../../contracts/parse.ts";
import { resultsPage, runModel, type Recipe, type ResultModel, type RunModel } from "../../contracts/runs.ts";
import { RunEvents } from "./events.ts";
import { RunsApiError } from "./runs-api-error.ts";

export interface RunsClientOptions {
  apiUrl: string;
  token: string;
  fetch?: typeof fetch;
}

/** A recipe as submitted: steps may leave out what has defaults. */
export type RecipeInput = { steps: (Partial<Recipe["steps"][number]> & Pick<Recipe["steps"][number], "id" | "input">)[] };

export class RunsClient {
  readonly #fetch: typeof fetch;

  constructor(private readonly opts: RunsClientOptions) {
    this.#fetch = opts.fetch ?? fetch;
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): RunsClient {
    const apiUrl = env.LIGHTBOOK_API_URL;
    const token = env.LIGHTBOOK_TOKEN;
    if (!apiUrl || !token) {
      throw new Error("this kernel does not know the Lightbook server (LIGHTBOOK_API_URL and LIGHTBOOK_TOKEN are unset): start it from Lightbook, or set both");
    }
    return new RunsClient({ apiUrl, token });
  }

  get apiUrl(): string {
    return this.opts.apiUrl;
  }

  /** Subscribes to one run's events (kernel/workflow/events.ts). */
  events(runId: string): RunEvents {
    return new RunEvents(this.opts.apiUrl, this.opts.token, runId);
  }

  /** The response body parsed by `schema` (a body that does not fit is an error naming its first wrong field). */
  async #request<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<z.output<S>> {
    const res = await this.#fetch(new URL(path, this.opts.apiUrl), {
      method,
      headers: { Authorization: `token ${this.opts.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const message = typeof parsed === "object" && parsed !== null && "message" in parsed ? String(parsed.message) : text;
      throw new RunsApiError(`${method} ${path}: ${res.status} ${message}`, res.status);
    }
    return parseContract(schema, parsed, `the answer to ${method} ${path}`);
  }

  async submit(recipe: RecipeInput, opts: { key?: string; name?: string } = {}): Promise<RunModel> {
    return this.#request(runModel, "POST", "api/lightbook/runs", { recipe, key: opts.key, name: opts.name ?? "" });
  }

  /** The run; with `waitMs`, the server answers as soon as the run ends, or after waitMs (long polling). */
  async get(id: string, opts: { tasks?: boolean; waitMs?: number } = {}): Promise<RunModel> {
    const wait = opts.waitMs ? `&wait=${opts.waitMs}` : "";
    return this.#request(runModel, "GET", `api/lightbook/runs/${id}?tasks=${opts.tasks ? 1 : 0}${wait}`);
  }

  async cancel(id: string): Promise<void> {
    await this.#request(z.undefined(), "DELETE", `api/lightbook/runs/${id}`);
  }

  /** All results of a run (or of one step) in partition order; typed arrays come as their bytes (`array`). */
  async results(id: string, step?: string): Promise<ResultModel[]> {
    const out: ResultModel[] = [];
    let after = -1;
    for (;;) {
      const q = new URLSearchParams({ after: String(after), limit: "10000", binary: "1", ...(step ? { step } : {}) });
      const page = await this.#request(resultsPage, "GET", `api/lightbook/runs/${id}/results?${q}`);
      out.push(...page.results);
      if (page.next_after === null) return out;
      after = page.next_after;
    }
  }

  async agents(): Promise<AgentModel[]> {
    return this.#request(z.array(agentModel), "GET", "api/lightbook/agents");
  }
}
