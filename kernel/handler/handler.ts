/**
 * The boundary between the kernel's transport (sockets, signing, status) and its language
 * semantics. The transport calls one method per request and wraps each in busy/idle status.
 */
import type {
  CompleteReply,
  CompleteRequest,
  ContentMap,
  ExecuteReply,
  InspectReply,
  InspectRequest,
  IOPubMessageType,
  IsCompleteReply,
  IsCompleteRequest,
  KernelInfoReply,
  Message,
} from '../protocol/messages.ts';

/** Publishes on iopub with one request as parent. */
export interface IOPubPublisher {
  publish<T extends IOPubMessageType>(msg_type: T, content: ContentMap[T]): void;
}

export interface JupyterHandler {
  kernelInfo(): KernelInfoReply;
  /** Runs one execute_request; the transport never calls it again before the promise settles. */
  execute(request: Message<'execute_request'>, iopub: IOPubPublisher): Promise<ExecuteReply>;
  isComplete(content: IsCompleteRequest): IsCompleteReply;
  complete(content: CompleteRequest): Promise<CompleteReply>;
  inspect(content: InspectRequest): Promise<InspectReply>;
  /** Abandon the running execution (interrupt_request, or SIGINT while JavaScript can run). */
  interrupt(): void;
}
