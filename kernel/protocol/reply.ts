/**
 * Building messages, and replies whose msg_type follows from the request's type, so nobody sets a
 * reply's msg_type by hand. https://jupyter-client.readthedocs.io/en/latest/messaging.html#request-reply
 */
import { makeHeader, type Channel, type ContentMap, type Header, type Message, type MessageType } from "./messages.ts";

/** Each request type and the type of its reply. */
export interface ReplyTypeMap {
  execute_request: "execute_reply";
  inspect_request: "inspect_reply";
  complete_request: "complete_reply";
  history_request: "history_reply";
  is_complete_request: "is_complete_reply";
  comm_info_request: "comm_info_reply";
  kernel_info_request: "kernel_info_reply";
  shutdown_request: "shutdown_reply";
  interrupt_request: "interrupt_reply";
  lightbook_replay_request: "lightbook_replay_reply";
  input_request: "input_reply";
}

export type RequestType = keyof ReplyTypeMap;
export type ReplyType<T extends RequestType = RequestType> = ReplyTypeMap[T];

const REPLY_TYPES: ReplyTypeMap = {
  execute_request: "execute_reply",
  inspect_request: "inspect_reply",
  complete_request: "complete_reply",
  history_request: "history_reply",
  is_complete_request: "is_complete_reply",
  comm_info_request: "comm_info_reply",
  kernel_info_request: "kernel_info_reply",
  shutdown_request: "shutdown_reply",
  interrupt_request: "interrupt_reply",
  lightbook_replay_request: "lightbook_replay_reply",
  input_request: "input_reply",
};

export function isRequestType(msg_type: string): msg_type is RequestType {
  return Object.hasOwn(REPLY_TYPES, msg_type);
}

/** The reply type of a request type, e.g. `replyTypeOf('execute_request') === 'execute_reply'`. */
export function replyTypeOf<T extends RequestType>(msg_type: T): ReplyTypeMap[T] {
  return REPLY_TYPES[msg_type];
}

export interface MakeMessageOptions {
  /** The sender's session id. */
  session: string;
  channel: Channel;
  /** Header of the message this one answers or was caused by. */
  parent?: Header;
  metadata?: Record<string, unknown>;
  buffers?: Uint8Array[];
  username?: string;
}

export function makeMessage<T extends MessageType>(msg_type: T, content: ContentMap[T], options: MakeMessageOptions): Message<T> {
  return {
    header: makeHeader(msg_type, options.session, options.username),
    parent_header: options.parent ?? {},
    metadata: options.metadata ?? {},
    content,
    buffers: options.buffers ?? [],
    channel: options.channel,
  };
}

/**
 * The reply to `request`, on the request's channel, with `parent_header` = the request's header.
 * `session` is the replier's session; it defaults to the request's for callers that have none.
 */
export function replyTo<T extends RequestType>(
  request: Message<T>,
  content: ContentMap[ReplyTypeMap[T]],
  metadata: Record<string, unknown> = {},
  session: string = request.header.session,
): Message<ReplyTypeMap[T]> {
  return makeMessage(replyTypeOf(request.header.msg_type), content, {
    session,
    channel: request.channel,
    parent: request.header,
    metadata,
  });
}
