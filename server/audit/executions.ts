import { createHash } from "node:crypto";
import { isExecuteRequest, type Message } from "../../kernel/protocol/messages.ts";
import type { AuditLog } from "./audit-log.ts";

/** What sees each message sent to a kernel on someone's behalf. */
export type SentToKernel = (kernelId: string, msg: Message) => void;

/**
 * Records every execute_request sent for `actor` (over the kernel WebSocket, or by the runner for
 * POST …/executions): the kernel, the cell id when the client names one, and the sha256 of the
 * code, not the code itself.
 */
export function auditExecutions(audit: AuditLog, actor: string): SentToKernel {
  return (kernelId, msg) => {
    if (!isExecuteRequest(msg)) return;
    const cellId = msg.metadata.cellId;
    audit.record({
      actor,
      action: "execute",
      resource: `kernels/${kernelId}`,
      result: "ok",
      detail: {
        code_sha256: createHash("sha256").update(msg.content.code).digest("hex"),
        cell_id: typeof cellId === "string" ? cellId : null,
        msg_id: msg.header.msg_id,
      },
    });
  };
}
