// The one place the web app talks to the server: the Jupyter Server REST/WebSocket API on our own
// origin, through @jupyterlab/services. Components call these functions and never fetch themselves.
// Auth is the server's session cookie; ServerConnection adds X-XSRFToken from the `_xsrf` cookie.
// API: https://jupyter-server.readthedocs.io/en/latest/developers/rest-api.html

import type { Contents, Kernel, KernelMessage, ServerConnection, Session, SessionManager } from "@jupyterlab/services";
import type { z } from "zod";
import { dataListing, type DataEntry } from "../../contracts/data";
import { OUTPUTS_HEADER, OUTPUTS_HEADER_SERVER } from "../../contracts/executions";
import { executionsResponse, type ExecutionsResponse } from "../../contracts/journal";
import { firstIssue } from "../../contracts/parse";
import { LIGHTBOOK_KERNEL } from "../../contracts/kernelspec";
import { emptyNotebook, readNotebook, type NbNotebook } from "../../contracts/notebook";
import { contentsModel } from "../../contracts/contents";
import { saveConflictBody, type SaveConflictBody } from "../../contracts/revisions";
import { newCellId } from "./notebookModel";
import { toCodePointOffset, toJsIndex } from "./codePoints";
import { dataApiPath } from "./dataApi";
import { outputEventFromMessage, type InputRequest, type OutputEvent } from "./outputs";

type Services = typeof import("@jupyterlab/services");

export type { DataEntry };

/** A failure already worded for the user; `status` is the HTTP status when there was a response. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function coerceError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export function errorMessage(e: unknown): string {
  return coerceError(e).message;
}

interface Connection {
  services: Services;
  settings: ServerConnection.ISettings;
  contents: Contents.IManager;
}

const SAVE_HEADERS = { [OUTPUTS_HEADER]: OUTPUTS_HEADER_SERVER };

let connection: Promise<Connection> | null = null;
/** The connection once made: a page that is unloading has no time to wait for a promise. */
let connected: Connection | null = null;
let sessions: SessionManager | null = null;

// Loaded on first use: keeps @jupyterlab/services out of the initial bundle and out of server rendering.
function connect(): Promise<Connection> {
  connection ??= import("@jupyterlab/services").then(
    (services) => {
      const { protocol, host, origin } = window.location;
      const settings = services.ServerConnection.makeSettings({
        baseUrl: `${origin}/`,
        wsUrl: `${protocol === "https:" ? "wss" : "ws"}://${host}/`,
        token: "",
        appendToken: false,
      });
      connected = {
        services,
        settings,
        contents: new services.ContentsManager({ serverSettings: settings }),
      };
      return connected;
    },
    (e: unknown) => {
      connection = null;
      throw e;
    },
  );
  return connection;
}

function toApiError(what: string, e: unknown, services?: Services): ApiError {
  if (e instanceof ApiError) return e;
  const error = coerceError(e);
  if (services && error instanceof services.ServerConnection.ResponseError) {
    return new ApiError(`${what}: ${error.message}`, error.response.status);
  }
  if (services && error instanceof services.ServerConnection.NetworkError) {
    return new ApiError(`${what}: the server cannot be reached (${error.message})`);
  }
  return new ApiError(`${what}: ${error.message}`);
}

/** Runs one API operation and rewords whatever it throws for the user. */
async function call<T>(what: string, operation: (c: Connection) => Promise<T>): Promise<T> {
  let c: Connection | undefined;
  try {
    c = await connect();
    return await operation(c);
  } catch (e: unknown) {
    throw toApiError(what, e, c?.services);
  }
}

export interface NotebookEntry {
  name: string;
  path: string;
  lastModified: string;
}

/** A row of the list page: a notebook or a folder to open. */
export interface ListEntry extends NotebookEntry {
  kind: "notebook" | "directory";
}

function entry(model: Pick<Contents.IModel, "name" | "path" | "last_modified">): NotebookEntry {
  return { name: model.name, path: model.path, lastModified: model.last_modified };
}

async function folderItems(contents: Contents.IManager, dir: string): Promise<Contents.IModel[]> {
  const model = await contents.get(dir, { type: "directory", content: true });
  return Array.isArray(model.content) ? model.content : [];
}

/** Folders (by name) then notebooks (most recently modified first) in one folder of the contents root. */
export function listFolder(dir: string): Promise<ListEntry[]> {
  return call(`Could not list ${dir || "notebooks"}`, async ({ contents }) => {
    const items = await folderItems(contents, dir);
    const folders = items.filter((item) => item.type === "directory").sort((a, b) => a.name.localeCompare(b.name));
    const notebooks = items.filter((item) => item.type === "notebook").sort((a, b) => Date.parse(b.last_modified) - Date.parse(a.last_modified));
    return [...folders.map((m): ListEntry => ({ ...entry(m), kind: "directory" })), ...notebooks.map((m): ListEntry => ({ ...entry(m), kind: "notebook" }))];
  });
}

/** Creates `Untitled.ipynb` (or the next free `UntitledN.ipynb`) in `dir`, set up for the TypeScript kernel. */
export function createNotebook(dir = ""): Promise<NotebookEntry> {
  return call("Could not create a notebook", async ({ contents }) => {
    const created = await contents.newUntitled({ path: dir, type: "notebook", ext: ".ipynb" });
    const saved = await contents.save(created.path, { type: "notebook", format: "json", content: emptyNotebook(LIGHTBOOK_KERNEL) });
    return entry(saved);
  });
}

function joinPath(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/**
 * Imports an .ipynb file chosen by the user into `dir`: checked as nbformat 4 first, and saved
 * under a free name ("scan.ipynb", then "scan-1.ipynb", …) so nothing existing is overwritten.
 */
export function importNotebook(dir: string, fileName: string, text: string): Promise<NotebookEntry> {
  return call(`Could not import ${fileName}`, async ({ contents }) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError("the file is not JSON");
    }
    const notebook = readNotebook(json, newCellId);
    const stem = fileName.replace(/\.ipynb$/i, "").replace(/[/\\]/g, "_") || "imported";
    // Names taken from one listing (a probe per name would log a 404 in the console for the free one).
    const taken = new Set((await folderItems(contents, dir)).map((m) => m.name));
    let name = `${stem}.ipynb`;
    for (let n = 1; taken.has(name); n++) name = `${stem}-${n}.ipynb`;
    return entry(await contents.save(joinPath(dir, name), { type: "notebook", format: "json", content: notebook }));
  });
}

function parentDir(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash + 1);
}

async function sessionsFor(path: string, c: Connection): Promise<Session.IModel[]> {
  const running = await c.services.SessionAPI.listRunning(c.settings);
  return running.filter((s) => s.path === path);
}

/** Renames within the same folder; a running kernel follows the notebook to its new path. */
export function renameNotebook(path: string, newName: string): Promise<NotebookEntry> {
  return call("Could not rename the notebook", async (c) => {
    const name = newName.trim();
    if (name === "" || name.includes("/")) throw new ApiError('A notebook name cannot be empty or contain "/"');
    const fileName = name.endsWith(".ipynb") ? name : `${name}.ipynb`;
    const renamed = await c.contents.rename(path, parentDir(path) + fileName);
    for (const session of await sessionsFor(path, c)) {
      await c.services.SessionAPI.updateSession({ id: session.id, path: renamed.path, name: renamed.name }, c.settings);
    }
    return entry(renamed);
  });
}

/** Deletes the file and shuts down its kernel, which would otherwise run on without a notebook. */
export function deleteNotebook(path: string): Promise<void> {
  return call("Could not delete the notebook", async (c) => {
    for (const session of await sessionsFor(path, c)) {
      await c.services.SessionAPI.shutdownSession(session.id, c.settings);
    }
    await c.contents.delete(path);
  });
}

export interface LoadedNotebook extends NotebookEntry {
  notebook: NbNotebook;
  /** The head revision it is (its id, or its hash for a notebook saved before revisions): what the next save is based on. */
  revision: string | null;
}

/** The revision a contents model names (contracts/contents.ts), as If-Match takes it. */
function revisionOf(model: unknown): string | null {
  const parsed = contentsModel.pick({ revision_id: true, hash: true }).safeParse(model);
  return parsed.success ? (parsed.data.revision_id ?? parsed.data.hash ?? null) : null;
}

export function loadNotebook(path: string): Promise<LoadedNotebook> {
  return call(`Could not open ${path}`, async ({ contents }) => {
    const model = await contents.get(path, { type: "notebook", format: "json", content: true });
    return { ...entry(model), notebook: readNotebook(model.content, newCellId), revision: revisionOf(model) };
  });
}

/** The server refused a save based on an older revision: both sides changed the same cells. */
export class SaveConflictError extends ApiError {
  override name = "SaveConflictError";
  constructor(readonly body: SaveConflictBody) {
    super(body.message, 409);
  }
}

export interface SavedNotebook extends NotebookEntry {
  /** The new head revision. */
  revision: string | null;
  /** The server merged our save with changes made since our base: the notebook it stored. */
  merged: NbNotebook | null;
}

function contentsUrl(c: Connection, path: string): string {
  return `${c.settings.baseUrl}api/contents/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** A page's save: based on our revision (If-Match), and leaving outputs to the server's runner (OUTPUTS_HEADER). */
function saveHeaders(base: string | null): Record<string, string> {
  return base === null ? SAVE_HEADERS : { ...SAVE_HEADERS, "If-Match": `"${base}"` };
}

/** Saves as a new revision based on `base` (If-Match): merged with newer changes, or a SaveConflictError when they collide. */
export function saveNotebook(path: string, notebook: NbNotebook, base: string | null): Promise<SavedNotebook> {
  return call("Could not save the notebook", async (c) => {
    const body = JSON.stringify({ type: "notebook", format: "json", content: notebook });
    const response = await c.services.ServerConnection.makeRequest(contentsUrl(c, path), { method: "PUT", body, headers: saveHeaders(base) }, c.settings);
    if (response.status === 409) throw new SaveConflictError(await responseOf(saveConflictBody, response, "a save conflict"));
    if (!response.ok) throw await c.services.ServerConnection.ResponseError.create(response);
    return savedNotebook(response);
  });
}

async function savedNotebook(response: Response): Promise<SavedNotebook> {
  const model = await responseOf(contentsModel, response, "the saved notebook");
  return { ...entry(model), revision: revisionOf(model), merged: model.content === null ? null : readNotebook(model.content, newCellId) };
}

/** The Fetch standard lets keepalive requests of a page carry at most 64 KiB of body in all. */
const KEEPALIVE_MAX_BYTES = 64 * 1024;

/** The PUT body of a save; `keepalive`: small enough to outlive the page. */
export function leaveSaveBody(notebook: NbNotebook): { body: string; keepalive: boolean } {
  const body = JSON.stringify({ type: "notebook", format: "json", content: notebook });
  return { body, keepalive: new TextEncoder().encode(body).length <= KEEPALIVE_MAX_BYTES };
}

/**
 * A save while the page is being left: one PUT, sent before this returns (pagehide gives no time
 * to await anything), kept alive past unload when the body fits. No conflict check: that would
 * be a second round trip, which an unloading page does not get.
 */
export function saveNotebookOnLeave(path: string, notebook: NbNotebook, base: string | null): Promise<SavedNotebook> {
  const c = connected;
  if (!c) return Promise.reject(new ApiError("Could not save the notebook: not connected to the server"));
  const { body, keepalive } = leaveSaveBody(notebook);
  // Sent before any await: the page may be gone by the next tick. Based on our revision, so it merges or is refused, never overwrites.
  const sent = request(c, contentsUrl(c, path), { method: "PUT", body, keepalive, headers: saveHeaders(base) });
  return call("Could not save the notebook", async () => savedNotebook(await sent));
}

/** Kernel execution state, or the state of our WebSocket to it while that is not connected. */
export type KernelStatus = KernelMessage.Status | "connecting" | "disconnected";

export interface ExecuteOutcome {
  status: "ok" | "error" | "aborted";
  executionCount: number | null;
  /** The reply's header date: when the kernel finished. */
  endedAt: string | null;
}

/** One execute_request. Its future stays open after the reply, like JupyterLab's, so that
 * update_display_data for displays it created (sent while other cells run) still reaches it. */
export interface Execution {
  /** Settles with the execute_reply. */
  done: Promise<ExecuteOutcome>;
  /** Stops delivering events: the cell was re-run or removed. */
  dispose(): void;
}

/** The kernel's completions for the code around a cursor; `from`/`to` are JS string indices. */
export interface Completions {
  matches: string[];
  from: number;
  to: number;
}

/** What another client's execution on the same kernel looks like to us (another tab, another user). */
export type OtherExecutionEvent = { requestId: string; msgId: string } & (
  | { kind: "started"; code: string; executionCount: number; at: string | null }
  | { kind: "event"; event: OutputEvent }
  /** Its `input()` prompt, which this page may answer. */
  | { kind: "input"; request: InputRequest }
  | { kind: "ended"; at: string | null }
);

/** The server's record of one execution (server/kernels/output-journal.ts), outputs already parsed. */
export interface RecordedExecution {
  requestId: string;
  code: string;
  executionCount: number | null;
  running: boolean;
  started: string | null;
  ended: string | null;
  events: OutputEvent[];
  lastMsgId: string;
  /** The client that ran it is still attached, and saves it; else the page that replays it does. */
  requesterAttached: boolean;
  /** The prompt it waits on: a page opened meanwhile shows it and may answer. */
  input: InputRequest | null;
}

/** A notebook's kernel session as the editor needs it. */
export interface KernelSession {
  /** Follows executions that other clients requested, so every viewer sees outputs live. */
  onOtherExecution(listener: (event: OtherExecutionEvent) => void): () => void;
  /** A prompt answered by another client, ours or theirs (the server relays every input_reply): `inputId` is the input_request's msg_id. */
  onInputAnsweredElsewhere(listener: (inputId: string, value: string) => void): () => void;
  /** What the server recorded of this kernel's executions, including those no page watched. */
  recordedExecutions(): Promise<RecordedExecution[]>;
  /** complete_request; null when the kernel has nothing or is busy elsewhere. */
  complete(code: string, cursor: number): Promise<Completions | null>;
  /** inspect_request at detail level 0; the text/plain help, or null. */
  inspect(code: string, cursor: number): Promise<string | null>;
  status(): KernelStatus;
  /** Returns a function that stops listening. */
  onStatusChange(listener: (status: KernelStatus) => void): () => void;
  /**
   * Runs a cell's code; `onEvent` receives this execution's outputs as they arrive, `onInput` its
   * `input()` prompts. The request carries the cell's id, so the server stores its outputs there.
   */
  execute(code: string, cellId: string, onEvent: (event: OutputEvent) => void, onInput: (request: InputRequest) => void): Execution;
  interrupt(): Promise<void>;
  restart(): Promise<void>;
  /** Closes our connection; the kernel keeps running for other clients and for the next visit. */
  dispose(): void;
}

const KERNEL_STATES: readonly KernelMessage.Status[] = ["starting", "idle", "busy", "terminating", "restarting", "autorestarting", "dead"];

class ServicesKernelSession implements KernelSession {
  /** msg_ids of the execute_requests this client sent: their messages go to their own futures. */
  private readonly ownRequests = new Set<string>();
  /**
   * The server's `execution_state` while our connection has seen no status yet: a kernel busy with
   * another client's cell answers the kernel_info_request (the usual first status) only when it ends.
   */
  private serverState: KernelMessage.Status | null = null;
  private readonly statusListeners = new Set<() => void>();

  constructor(
    private readonly session: Session.ISessionConnection,
    private readonly services: Services,
  ) {
    session.connectionStatusChanged.connect(() => void this.askServerState());
    session.statusChanged.connect(() => {
      this.serverState = null;
    });
    void this.askServerState();
  }

  private async askServerState(): Promise<void> {
    const kernel = this.session.kernel;
    if (!kernel || kernel.connectionStatus !== "connected" || kernel.status !== "unknown") return;
    try {
      const state = (await this.services.KernelAPI.getKernelModel(kernel.id, kernel.serverSettings))?.execution_state;
      const known = KERNEL_STATES.find((s) => s === state);
      if (!known || kernel !== this.session.kernel || kernel.status !== "unknown") return;
      this.serverState = known;
      for (const listener of this.statusListeners) listener();
    } catch {
      // The kernel's own status messages still come; until then the status stays unknown.
    }
  }

  onOtherExecution(listener: (event: OtherExecutionEvent) => void): () => void {
    const onMessage = (_: unknown, msg: KernelMessage.IIOPubMessage): void => {
      const parent = msg.parent_header;
      if (!("msg_id" in parent) || parent.msg_type !== "execute_request" || this.ownRequests.has(parent.msg_id)) return;
      const requestId = parent.msg_id;
      const msgId = msg.header.msg_id;
      const at = msg.header.date || null;
      const type = msg.header.msg_type;
      if (type === "status") {
        if ("execution_state" in msg.content && msg.content.execution_state === "idle") listener({ kind: "ended", requestId, msgId, at });
        return;
      }
      if (type === "execute_input" && "code" in msg.content && typeof msg.content.code === "string" && "execution_count" in msg.content) {
        listener({ kind: "started", requestId, msgId, code: msg.content.code, executionCount: Number(msg.content.execution_count), at });
        return;
      }
      try {
        const event = outputEventFromMessage(type, msg.content, at);
        if (event) listener({ kind: "event", requestId, msgId, event });
      } catch {
        // A malformed message of someone else's run: their own page reports it.
      }
    };
    // Other clients' prompts reach us only as relayed stdin messages, which no future of ours claims.
    const onStdin = (_: unknown, { msg, direction }: Kernel.IAnyMessageArgs): void => {
      const parent = msg.parent_header;
      if (direction !== "recv" || !("msg_id" in parent) || this.ownRequests.has(parent.msg_id) || !this.services.KernelMessage.isInputRequestMsg(msg)) return;
      listener({ kind: "input", requestId: parent.msg_id, msgId: msg.header.msg_id, request: this.inputRequest(msg.header, msg.content, true) });
    };
    this.session.iopubMessage.connect(onMessage);
    this.session.anyMessage.connect(onStdin);
    return () => {
      this.session.iopubMessage.disconnect(onMessage);
      this.session.anyMessage.disconnect(onStdin);
    };
  }

  onInputAnsweredElsewhere(listener: (inputId: string, value: string) => void): () => void {
    const onMessage = (_: unknown, { msg, direction }: Kernel.IAnyMessageArgs): void => {
      if (direction !== "recv" || !this.services.KernelMessage.isInputReplyMsg(msg) || !("msg_id" in msg.parent_header)) return;
      if (msg.content.status === "ok") listener(msg.parent_header.msg_id, msg.content.value);
    };
    this.session.anyMessage.connect(onMessage);
    return () => void this.session.anyMessage.disconnect(onMessage);
  }

  private inputRequest(
    header: KernelMessage.IHeader<"input_request">,
    { prompt, password }: { prompt: string; password?: boolean },
    remote: boolean,
  ): InputRequest {
    return { id: header.msg_id, prompt, password: password === true, remote, reply: (value) => this.kernel().sendInputReply({ status: "ok", value }, header) };
  }

  recordedExecutions(): Promise<RecordedExecution[]> {
    return call("Could not read what the kernel printed meanwhile", async (c) => {
      const kernel = this.kernel();
      const body = await responseOf(
        executionsResponse,
        await request(c, `${c.settings.baseUrl}api/lightbook/kernels/${encodeURIComponent(kernel.id)}/executions`),
        "the journal",
      );
      return body.executions.map((v) => recordedExecution(v, (header, content, remote) => this.inputRequest(header, content, remote)));
    });
  }

  status(): KernelStatus {
    const kernel = this.session.kernel;
    if (!kernel) return "unknown";
    if (kernel.connectionStatus === "connected" && kernel.status === "unknown") return this.serverState ?? "unknown";
    if (kernel.status === "dead" || kernel.connectionStatus === "connected") return kernel.status;
    return kernel.connectionStatus;
  }

  onStatusChange(listener: (status: KernelStatus) => void): () => void {
    const notify = (): void => listener(this.status());
    this.session.statusChanged.connect(notify);
    this.session.connectionStatusChanged.connect(notify);
    this.session.kernelChanged.connect(notify);
    this.statusListeners.add(notify);
    return () => {
      this.statusListeners.delete(notify);
      this.session.statusChanged.disconnect(notify);
      this.session.connectionStatusChanged.disconnect(notify);
      this.session.kernelChanged.disconnect(notify);
    };
  }

  private kernel() {
    const kernel = this.session.kernel;
    if (!kernel) throw new ApiError("This notebook has no kernel");
    return kernel;
  }

  execute(code: string, cellId: string, onEvent: (event: OutputEvent) => void, onInput: (request: InputRequest) => void): Execution {
    const kernel = this.session.kernel;
    if (!kernel) return { done: Promise.reject(new ApiError("This notebook has no kernel")), dispose: () => {} };
    const content = { code, silent: false, store_history: true, allow_stdin: true, stop_on_error: true };
    // metadata.cellId as JupyterLab sends it: the server's runner keys the execution by it.
    const future = kernel.requestExecute(content, false, { cellId });
    this.ownRequests.add(future.msg.header.msg_id);
    future.onIOPub = (msg) => {
      try {
        const event = outputEventFromMessage(msg.header.msg_type, msg.content, msg.header.date || null);
        if (event) onEvent(event);
      } catch (e: unknown) {
        // Show a malformed message where it belongs rather than dropping it silently.
        onEvent({ kind: "output", output: { output_type: "error", ename: "InvalidMessage", evalue: errorMessage(e), traceback: [] } });
      }
    };
    future.onStdin = (msg) => {
      if (this.services.KernelMessage.isInputRequestMsg(msg)) onInput(this.inputRequest(msg.header, msg.content, false));
    };
    const done = future.done.then(
      ({ content: reply, header }): ExecuteOutcome => ({
        status: reply.status === "ok" || reply.status === "error" ? reply.status : "aborted",
        executionCount: "execution_count" in reply && typeof reply.execution_count === "number" ? reply.execution_count : null,
        endedAt: header.date || null,
      }),
      (e: unknown) => {
        throw toApiError("Execution stopped", e, this.services);
      },
    );
    return { done, dispose: () => future.dispose() };
  }

  async complete(code: string, cursor: number): Promise<Completions | null> {
    const reply = (await this.kernel().requestComplete({ code, cursor_pos: toCodePointOffset(code, cursor) })).content;
    if (reply.status !== "ok" || reply.matches.length === 0) return null;
    return { matches: reply.matches, from: toJsIndex(code, reply.cursor_start), to: toJsIndex(code, reply.cursor_end) };
  }

  async inspect(code: string, cursor: number): Promise<string | null> {
    const reply = (await this.kernel().requestInspect({ code, cursor_pos: toCodePointOffset(code, cursor), detail_level: 0 })).content;
    if (reply.status !== "ok" || !reply.found) return null;
    const text = reply.data["text/plain"];
    return typeof text === "string" ? text : null;
  }

  async interrupt(): Promise<void> {
    try {
      await this.kernel().interrupt();
    } catch (e: unknown) {
      throw toApiError("Could not interrupt the kernel", e, this.services);
    }
  }

  async restart(): Promise<void> {
    try {
      await this.kernel().restart();
    } catch (e: unknown) {
      throw toApiError("Could not restart the kernel", e, this.services);
    }
  }

  dispose(): void {
    this.session.dispose();
  }
}

type InputRequestOf = (header: KernelMessage.IHeader<"input_request">, content: { prompt: string; password: boolean }, remote: boolean) => InputRequest;

/** A journal entry as the editor follows it: its messages reduced to output events. */
function recordedExecution(value: ExecutionsResponse["executions"][number], inputRequest: InputRequestOf): RecordedExecution {
  const events: OutputEvent[] = [];
  for (const m of value.messages) {
    const event = outputEventFromMessage(m.msg_type, m.content, m.date);
    if (event) events.push(event);
  }
  const remote = value.requester_attached;
  const input = value.input;
  return {
    requestId: value.request_id,
    code: value.code,
    executionCount: value.execution_count,
    running: value.state === "running",
    started: value.started,
    ended: value.ended,
    events,
    lastMsgId: value.last_msg_id,
    requesterAttached: remote,
    // The journal recorded it from an input_request, so its header is that message's.
    input: input
      ? inputRequest(
          { ...input.header, msg_type: "input_request", subshell_id: input.header.subshell_id ?? undefined },
          { prompt: input.prompt, password: input.password },
          remote,
        )
      : null,
  };
}

function sessionManager(c: Connection): SessionManager {
  if (!sessions) {
    const kernelManager = new c.services.KernelManager({ serverSettings: c.settings });
    sessions = new c.services.SessionManager({ kernelManager, serverSettings: c.settings });
  }
  return sessions;
}

/** Joins the notebook's running session if there is one, else starts one with the TypeScript kernel. */
export function openKernelSession(path: string, name: string): Promise<KernelSession> {
  return call("Could not start a kernel", async (c) => {
    const manager = sessionManager(c);
    const existing = await manager.findByPath(path);
    const session = existing
      ? manager.connectTo({ model: existing })
      : await manager.startNew({ path, type: "notebook", name, kernel: { name: LIGHTBOOK_KERNEL.name } });
    if (!session.kernel) await session.changeKernel({ name: LIGHTBOOK_KERNEL.name });
    return new ServicesKernelSession(session, c.services);
  });
}

/** A response body parsed by its contract; one that does not fit is an ApiError naming its first wrong field. */
export async function responseOf<S extends z.ZodType>(schema: S, response: Response, what: string): Promise<z.output<S>> {
  const r = schema.safeParse(await response.json());
  if (r.success) return r.data;
  throw new ApiError(`the server sent ${what} in an unexpected shape (${firstIssue(r.error)})`);
}

/** Lightbook's own endpoints go through the same connection (cookie, XSRF header) as Jupyter's. */
async function request(c: Connection, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await c.services.ServerConnection.makeRequest(url, init, c.settings);
  if (!response.ok) throw await c.services.ServerConnection.ResponseError.create(response);
  return response;
}

/** `api/lightbook/<path>` (runs, agents): the response, or an ApiError worded as `what`. */
export function lightbookRequest(what: string, path: string, init: RequestInit = {}): Promise<Response> {
  return call(what, (c) => request(c, `${c.settings.baseUrl}api/lightbook/${path}`, init));
}

/** A folder of the data root (LIGHTBOOK_DATA_ROOT), folders first. */
export function listDataFolder(dir: string): Promise<DataEntry[]> {
  return call(`Could not list the data folder ${dir || "/"}`, async (c) => {
    return (await responseOf(dataListing, await request(c, `${c.settings.baseUrl}${dataApiPath("tree", dir)}`), "a listing")).entries;
  });
}
