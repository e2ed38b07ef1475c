/**
 * Jupyter messaging protocol 5.3: message envelope, one content interface per message type, guards.
 *
 * Shared by kernel, server and web, so this file imports nothing from Node.
 * Spec: https://jupyter-client.readthedocs.io/en/latest/messaging.html
 * Wire fields stay snake_case exactly as the spec names them.
 */
import type { JsonValue } from "../../contracts/json.ts";

export type { JsonValue };

/** The protocol version this module implements and writes into every header. */
export const PROTOCOL_VERSION = "5.3";

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#introduction */
export type Channel = "shell" | "control" | "iopub" | "stdin";

export const CHANNELS: readonly Channel[] = ["shell", "control", "iopub", "stdin"];

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#message-header */
export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  /** ISO 8601 timestamp. */
  date: string;
  version: string;
  /** Kernel subshells (JEP 91); absent or null means the main shell. */
  subshell_id?: string | null;
}

/** MIME type → representation, e.g. `{'text/plain': '1', 'text/html': '<b>1</b>'}`. */
export type MimeBundle = Record<string, JsonValue>;

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#request-reply */
export interface ReplyErrorContent {
  status: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Deprecated by the spec in 5.1 but still sent by ipykernel for requests dropped after an error. */
export interface ReplyAbortedContent {
  status: "aborted";
}

/** Every reply is its ok content, or an error (spec: "the usual content ... should be omitted"). */
export type ReplyContent<Ok> = (Ok & { status: "ok" }) | ReplyErrorContent;

// ---- shell: execute --------------------------------------------------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute */
export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  /** Abort the queued execute requests when this one fails. Jupyter clients default it to true. */
  stop_on_error?: boolean;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#execution-results */
export type ExecuteReply =
  | {
      status: "ok";
      execution_count: number;
      payload?: Record<string, unknown>[];
      user_expressions: Record<string, UserExpressionResult>;
    }
  | (ReplyErrorContent & { execution_count: number })
  | (ReplyAbortedContent & { execution_count?: number });

/** One `user_expressions` entry: a display-data-like bundle, or an error. */
export type UserExpressionResult = { status: "ok"; data: MimeBundle; metadata: Record<string, unknown> } | ReplyErrorContent;

// ---- shell: introspection, completion, history, is_complete ----------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#introspection */
export interface InspectRequest {
  code: string;
  cursor_pos: number;
  detail_level: 0 | 1;
}

export type InspectReply = ReplyContent<{
  found: boolean;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}>;

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#completion */
export interface CompleteRequest {
  code: string;
  cursor_pos: number;
}

export type CompleteReply = ReplyContent<{
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}>;

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#history */
export interface HistoryRequest {
  output: boolean;
  raw: boolean;
  hist_access_type: "range" | "tail" | "search";
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** Entries are (session, line_number, input) or (session, line_number, [input, output]). */
export type HistoryEntry = [number, number, string] | [number, number, [string, string | null]];

export type HistoryReply = ReplyContent<{ history: HistoryEntry[] }>;

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#code-completeness */
export interface IsCompleteRequest {
  code: string;
}

/** Not a ReplyContent: its status says how complete the code is. */
export type IsCompleteReply = { status: "complete" | "invalid" | "unknown" } | { status: "incomplete"; indent: string };

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#comm-info */
export interface CommInfoRequest {
  target_name?: string;
}

export type CommInfoReply = ReplyContent<{ comms: Record<string, { target_name: string }> }>;

// ---- shell / control: kernel info ----------------------------------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#kernel-info */
export type KernelInfoRequest = Record<string, never>;

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype?: string;
  file_extension?: string;
  pygments_lexer?: string;
  codemirror_mode?: string | Record<string, unknown>;
  nbconvert_exporter?: string;
}

export interface HelpLink {
  text: string;
  url: string;
}

export type KernelInfoReply = ReplyContent<{
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  debugger?: boolean;
  help_links?: HelpLink[];
}>;

// ---- control ---------------------------------------------------------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#kernel-shutdown */
export interface ShutdownRequest {
  restart: boolean;
}

export type ShutdownReply = ReplyContent<{ restart: boolean }>;

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#kernel-interrupt */
export type InterruptRequest = Record<string, never>;

export type InterruptReply = { status: "ok" } | ReplyErrorContent;

/**
 * Lightbook's extension (kernel/README.md, "Replay"): the iopub messages the kernel published
 * after `after`, from its bounded buffer. ZMQ PUB drops what no subscriber receives, so a server
 * that restarts asks for what it missed; `after` is the last msg_id it had journaled (null: all).
 */
export interface LightbookReplayRequest {
  after: string | null;
}

/** One buffered iopub message as it was published (binary buffers are not kept). */
export interface ReplayedMessage {
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: unknown;
}

/**
 * `complete` is false when `after` was not (or no longer) in the buffer: messages between it and
 * the oldest one kept may be missing.
 */
export type LightbookReplayReply = ReplyContent<{ messages: ReplayedMessage[]; complete: boolean }>;

// ---- iopub -------------------------------------------------------------------------------------

/**
 * https://jupyter-client.readthedocs.io/en/latest/messaging.html#kernel-status
 * Kernels send busy, idle and starting; Jupyter Server sends the others to WebSocket clients on
 * the kernel's behalf (as @jupyterlab/services' `Kernel.Status` lists them).
 */
export interface Status {
  execution_state: "busy" | "idle" | "starting" | "restarting" | "autorestarting" | "terminating" | "dead";
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#streams-stdout-stderr-etc */
export interface Stream {
  name: "stdout" | "stderr";
  text: string;
}

/** Transient data is not persisted with the notebook; `display_id` names an updatable output. */
export interface DisplayTransient {
  display_id?: string;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#display-data */
export interface DisplayData {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: DisplayTransient;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#update-display-data */
export interface UpdateDisplayData {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id: string };
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#code-inputs */
export interface ExecuteInput {
  code: string;
  execution_count: number;
}

/** Execution results on iopub: https://jupyter-client.readthedocs.io/en/latest/messaging.html#messages-on-the-iopub-pub-sub-channel */
export interface ExecuteResult {
  execution_count: number;
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: DisplayTransient;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#execution-errors */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#clear-output */
export interface ClearOutput {
  wait: boolean;
}

// ---- comms (shell and iopub) -------------------------------------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#opening-a-comm */
export interface CommOpen {
  comm_id: string;
  target_name: string;
  data: Record<string, JsonValue>;
  target_module?: string;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#comm-messages */
export interface CommMsg {
  comm_id: string;
  data: Record<string, JsonValue>;
}

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#tearing-down-comms */
export interface CommClose {
  comm_id: string;
  data: Record<string, JsonValue>;
}

// ---- stdin -------------------------------------------------------------------------------------

/** https://jupyter-client.readthedocs.io/en/latest/messaging.html#messages-on-the-stdin-router-dealer-channel */
export interface InputRequest {
  prompt: string;
  password: boolean;
}

export interface InputReply {
  value: string;
}

// ---- the type map ------------------------------------------------------------------------------

/** Content interface of each message type. */
export interface ContentMap {
  execute_request: ExecuteRequest;
  execute_reply: ExecuteReply;
  inspect_request: InspectRequest;
  inspect_reply: InspectReply;
  complete_request: CompleteRequest;
  complete_reply: CompleteReply;
  history_request: HistoryRequest;
  history_reply: HistoryReply;
  is_complete_request: IsCompleteRequest;
  is_complete_reply: IsCompleteReply;
  comm_info_request: CommInfoRequest;
  comm_info_reply: CommInfoReply;
  kernel_info_request: KernelInfoRequest;
  kernel_info_reply: KernelInfoReply;
  shutdown_request: ShutdownRequest;
  shutdown_reply: ShutdownReply;
  interrupt_request: InterruptRequest;
  interrupt_reply: InterruptReply;
  lightbook_replay_request: LightbookReplayRequest;
  lightbook_replay_reply: LightbookReplayReply;
  status: Status;
  stream: Stream;
  display_data: DisplayData;
  update_display_data: UpdateDisplayData;
  execute_input: ExecuteInput;
  execute_result: ExecuteResult;
  error: ErrorContent;
  clear_output: ClearOutput;
  comm_open: CommOpen;
  comm_msg: CommMsg;
  comm_close: CommClose;
  input_request: InputRequest;
  input_reply: InputReply;
}

export type MessageType = keyof ContentMap;

/**
 * One message, as in https://jupyter-client.readthedocs.io/en/latest/messaging.html#general-message-format
 * plus the channel it travels on (as Jupyter Server's WebSocket protocol carries it).
 */
export interface Message<T extends MessageType = MessageType> {
  header: Header & { msg_type: T };
  /** The header of the request this message answers or was caused by; `{}` if none. */
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: ContentMap[T];
  buffers: Uint8Array[];
  channel: Channel;
}

/** Message types sent on each channel (comms travel on shell and iopub). */
export const SHELL_MESSAGE_TYPES = [
  "execute_request",
  "execute_reply",
  "inspect_request",
  "inspect_reply",
  "complete_request",
  "complete_reply",
  "history_request",
  "history_reply",
  "is_complete_request",
  "is_complete_reply",
  "comm_info_request",
  "comm_info_reply",
  "kernel_info_request",
  "kernel_info_reply",
  "comm_open",
  "comm_msg",
  "comm_close",
] as const satisfies readonly MessageType[];

/** Kernel info may also be asked on control (spec 5.3, "Kernel info"). */
export const CONTROL_MESSAGE_TYPES = [
  "shutdown_request",
  "shutdown_reply",
  "interrupt_request",
  "interrupt_reply",
  "kernel_info_request",
  "kernel_info_reply",
  "lightbook_replay_request",
  "lightbook_replay_reply",
] as const satisfies readonly MessageType[];

export const IOPUB_MESSAGE_TYPES = [
  "status",
  "stream",
  "display_data",
  "update_display_data",
  "execute_input",
  "execute_result",
  "error",
  "clear_output",
  "comm_open",
  "comm_msg",
  "comm_close",
] as const satisfies readonly MessageType[];

export const STDIN_MESSAGE_TYPES = ["input_request", "input_reply"] as const satisfies readonly MessageType[];

export type ShellMessageType = (typeof SHELL_MESSAGE_TYPES)[number];
export type ControlMessageType = (typeof CONTROL_MESSAGE_TYPES)[number];
export type IOPubMessageType = (typeof IOPUB_MESSAGE_TYPES)[number];
export type StdinMessageType = (typeof STDIN_MESSAGE_TYPES)[number];

// ---- construction ------------------------------------------------------------------------------

/** A fresh header; `date` is now and `msg_id` a random UUID (Web Crypto, present in browsers and Node ≥ 19). */
export function makeHeader<T extends MessageType>(msg_type: T, session: string, username = "lightbook"): Header & { msg_type: T } {
  return {
    msg_id: crypto.randomUUID(),
    msg_type,
    session,
    username,
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

// ---- validation --------------------------------------------------------------------------------

type FieldKind = "string" | "number" | "boolean" | "object" | "array";
type FieldSpec = FieldKind | `${FieldKind}?`;

/**
 * Fields each content must carry, checked at trust boundaries. Deliberately loose: the spec asks
 * both sides to accept extra fields, and replies with status 'error' omit their ok fields.
 */
const CONTENT_FIELDS: { readonly [T in MessageType]: Readonly<Record<string, FieldSpec>> } = {
  execute_request: {
    code: "string",
    silent: "boolean?",
    store_history: "boolean?",
    user_expressions: "object?",
    allow_stdin: "boolean?",
    stop_on_error: "boolean?",
  },
  execute_reply: { status: "string", execution_count: "number?" },
  inspect_request: { code: "string", cursor_pos: "number", detail_level: "number?" },
  inspect_reply: { status: "string" },
  complete_request: { code: "string", cursor_pos: "number" },
  complete_reply: { status: "string" },
  history_request: { hist_access_type: "string" },
  history_reply: { status: "string" },
  is_complete_request: { code: "string" },
  is_complete_reply: { status: "string" },
  comm_info_request: { target_name: "string?" },
  comm_info_reply: { status: "string" },
  kernel_info_request: {},
  kernel_info_reply: { status: "string" },
  shutdown_request: { restart: "boolean" },
  shutdown_reply: { status: "string" },
  interrupt_request: {},
  interrupt_reply: { status: "string" },
  lightbook_replay_request: {},
  lightbook_replay_reply: { status: "string" },
  status: { execution_state: "string" },
  stream: { name: "string", text: "string" },
  display_data: { data: "object", metadata: "object?", transient: "object?" },
  update_display_data: { data: "object", metadata: "object?", transient: "object" },
  execute_input: { code: "string", execution_count: "number" },
  execute_result: { execution_count: "number", data: "object", metadata: "object?" },
  error: { ename: "string", evalue: "string", traceback: "array" },
  clear_output: { wait: "boolean" },
  comm_open: { comm_id: "string", target_name: "string", data: "object?" },
  comm_msg: { comm_id: "string", data: "object?" },
  comm_close: { comm_id: "string", data: "object?" },
  input_request: { prompt: "string", password: "boolean?" },
  input_reply: { value: "string" },
};

const HEADER_FIELDS = ["msg_id", "msg_type", "session", "username", "date", "version"] as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function kindOf(value: unknown): FieldKind | "other" {
  if (Array.isArray(value)) return "array";
  if (isRecord(value)) return "object";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" ? t : "other";
}

export function isMessageType(x: unknown): x is MessageType {
  return typeof x === "string" && Object.hasOwn(CONTENT_FIELDS, x);
}

export function isChannel(x: unknown): x is Channel {
  return typeof x === "string" && (CHANNELS as readonly string[]).includes(x);
}

/** What is wrong with a header, or null if it is one. */
export function describeInvalidHeader(x: unknown): string | null {
  if (!isRecord(x)) return "header must be an object";
  for (const field of HEADER_FIELDS) {
    // `date` was optional before 5.1 and some clients still omit it.
    if (field === "date" && x[field] === undefined) continue;
    if (typeof x[field] !== "string") return `header.${field} must be a string`;
  }
  if (x.subshell_id !== undefined && x.subshell_id !== null && typeof x.subshell_id !== "string") {
    return "header.subshell_id must be a string";
  }
  return null;
}

/** What is wrong with content for `msg_type`, or null if it has the fields the spec requires. */
export function describeInvalidContent(msg_type: MessageType, content: unknown): string | null {
  if (!isRecord(content)) return `${msg_type} content must be an object`;
  for (const [field, spec] of Object.entries(CONTENT_FIELDS[msg_type])) {
    const optional = spec.endsWith("?");
    const kind = optional ? spec.slice(0, -1) : spec;
    const value = content[field];
    if (value === undefined && optional) continue;
    if (kindOf(value) !== kind) return `${msg_type} content.${field} must be ${optional ? "absent or " : ""}a ${kind}`;
  }
  return null;
}

/** What is wrong with `x` as a Message (envelope, known msg_type, channel, content), or null. */
export function describeInvalidMessage(x: unknown): string | null {
  if (!isRecord(x)) return "message must be an object";
  const headerProblem = describeInvalidHeader(x.header);
  if (headerProblem) return headerProblem;
  const msg_type = (x.header as Record<string, unknown>).msg_type;
  if (!isMessageType(msg_type)) return `unknown msg_type ${JSON.stringify(msg_type)}`;
  if (!isRecord(x.parent_header)) return "parent_header must be an object";
  if (Object.keys(x.parent_header).length > 0) {
    const parentProblem = describeInvalidHeader(x.parent_header);
    if (parentProblem) return `parent_${parentProblem}`;
  }
  if (!isRecord(x.metadata)) return "metadata must be an object";
  if (!Array.isArray(x.buffers) || !x.buffers.every((b) => b instanceof Uint8Array)) {
    return "buffers must be an array of Uint8Array";
  }
  if (!isChannel(x.channel)) return `channel must be one of ${CHANNELS.join(", ")}`;
  return describeInvalidContent(msg_type, x.content);
}

export function isMessage(x: unknown): x is Message {
  return describeInvalidMessage(x) === null;
}

/** Throws a TypeError naming the first problem found. */
export function assertMessage(x: unknown): asserts x is Message {
  const problem = describeInvalidMessage(x);
  if (problem !== null) throw new TypeError(`Invalid Jupyter message: ${problem}`);
}

/** Narrow a message to one type, e.g. `if (isMessageOfType(msg, 'stream')) msg.content.text`. */
export function isMessageOfType<T extends MessageType>(msg: Message, msg_type: T): msg is Message<T> {
  return msg.header.msg_type === msg_type;
}

function typeGuard<T extends MessageType>(msg_type: T): (msg: Message) => msg is Message<T> {
  return (msg): msg is Message<T> => msg.header.msg_type === msg_type;
}

export const isExecuteRequest = typeGuard("execute_request");
export const isExecuteReply = typeGuard("execute_reply");
export const isInspectRequest = typeGuard("inspect_request");
export const isInspectReply = typeGuard("inspect_reply");
export const isCompleteRequest = typeGuard("complete_request");
export const isCompleteReply = typeGuard("complete_reply");
export const isHistoryRequest = typeGuard("history_request");
export const isHistoryReply = typeGuard("history_reply");
export const isIsCompleteRequest = typeGuard("is_complete_request");
export const isIsCompleteReply = typeGuard("is_complete_reply");
export const isCommInfoRequest = typeGuard("comm_info_request");
export const isCommInfoReply = typeGuard("comm_info_reply");
export const isKernelInfoRequest = typeGuard("kernel_info_request");
export const isKernelInfoReply = typeGuard("kernel_info_reply");
export const isShutdownRequest = typeGuard("shutdown_request");
export const isShutdownReply = typeGuard("shutdown_reply");
export const isInterruptRequest = typeGuard("interrupt_request");
export const isInterruptReply = typeGuard("interrupt_reply");
export const isLightbookReplayRequest = typeGuard("lightbook_replay_request");
export const isLightbookReplayReply = typeGuard("lightbook_replay_reply");
export const isStatusMessage = typeGuard("status");
export const isStreamMessage = typeGuard("stream");
export const isDisplayDataMessage = typeGuard("display_data");
export const isUpdateDisplayDataMessage = typeGuard("update_display_data");
export const isExecuteInputMessage = typeGuard("execute_input");
export const isExecuteResultMessage = typeGuard("execute_result");
export const isErrorMessage = typeGuard("error");
export const isClearOutputMessage = typeGuard("clear_output");
export const isCommOpenMessage = typeGuard("comm_open");
export const isCommMsgMessage = typeGuard("comm_msg");
export const isCommCloseMessage = typeGuard("comm_close");
export const isInputRequest = typeGuard("input_request");
export const isInputReply = typeGuard("input_reply");

function channelGuard<C extends Channel, T extends MessageType>(channel: C, types: readonly T[]) {
  return (msg: Message): msg is Message<T> & { channel: C } => msg.channel === channel && (types as readonly string[]).includes(msg.header.msg_type);
}

export const isShellMessage = channelGuard("shell", SHELL_MESSAGE_TYPES);
export const isControlMessage = channelGuard("control", CONTROL_MESSAGE_TYPES);
export const isIOPubMessage = channelGuard("iopub", IOPUB_MESSAGE_TYPES);
export const isStdinMessage = channelGuard("stdin", STDIN_MESSAGE_TYPES);
