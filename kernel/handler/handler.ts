/**
 * The boundary between the kernel's transport (sockets, signing, status) and its language
 * semantics. The transport calls one method per request and wraps each in busy/idle status.
 */
import type { StdinRequester } from "./stdin.ts";
import type {
  CommInfoReply,
  CommInfoRequest,
  CompleteReply,
  CompleteRequest,
  ContentMap,
  ExecuteReply,
  HistoryReply,
  HistoryRequest,
  InspectReply,
  InspectRequest,
  IOPubMessageType,
  IsCompleteReply,
  IsCompleteRequest,
  KernelInfoReply,
  Message,
} from "../protocol/messages.ts";

/** Publishes on iopub with one request as parent. */
export interface IOPubPublisher {
  publish<T extends IOPubMessageType>(msg_type: T, content: ContentMap[T], buffers?: Uint8Array[]): void;
}

export interface JupyterHandler {
  kernelInfo(): KernelInfoReply;
  /**
   * Runs one execute_request; the transport never calls it again before the promise settles.
   * `stdin` is absent when the request does not allow stdin.
   */
  execute(request: Message<"execute_request">, iopub: IOPubPublisher, stdin?: StdinRequester): Promise<ExecuteReply>;
  isComplete(content: IsCompleteRequest): IsCompleteReply;
  complete(content: CompleteRequest): Promise<CompleteReply>;
  inspect(content: InspectRequest): Promise<InspectReply>;
  history(content: HistoryRequest): HistoryReply;
  commInfo(content: CommInfoRequest): CommInfoReply;
  /** comm_open, comm_msg or comm_close from a frontend; outputs of comm handlers go to `iopub`. */
  comm(message: Message<"comm_open" | "comm_msg" | "comm_close">, iopub: IOPubPublisher): void;
  /** Abandon the running execution (interrupt_request, or SIGINT while JavaScript can run); false if none runs. */
  interrupt(): boolean;
}
