import { randomUUID } from "node:crypto";
import { WebSocketServer } from "ws";
import { asHttpError } from "../http/errors.ts";
import { refuseUpgrade, type WebSocketEndpoint } from "../http/ws-upgrade.ts";
import type { Logger } from "../../runtime/log.ts";
import { KernelChannelsConnection } from "./channels.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import { auditExecutions } from "../audit/executions.ts";
import type { KernelManager } from "./manager.ts";
import { V1_PROTOCOL } from "./ws-framing.ts";
import { can, type AccessResolver } from "../auth/authorizer.ts";

/**
 * `/api/kernels/{id}/channels` (authenticated, origin- and scope-checked by server/http/ws-upgrade.ts).
 * `sockets`: logging out closes the kernel sockets its login session opened (issue 13, item 7).
 */
export function kernelChannelsEndpoint(kernels: KernelManager, access: AccessResolver, audit: AuditLog, log: Logger): WebSocketEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 256 * 1024 * 1024,
    handleProtocols: (offered) => (offered.has(V1_PROTOCOL) ? V1_PROTOCOL : false),
  });
  return {
    path: /^\/api\/kernels\/([^/]+)\/channels$/,
    accept(req, socket, head, url, match, principal, opened) {
      let kernelId: string;
      try {
        kernelId = decodeURIComponent(match[1]!);
      } catch {
        // A malformed escape (`%E0%A4%A`) threw out of this listener: an uncaught exception, and a socket never answered.
        return refuseUpgrade(socket, 400, "Invalid percent-encoding in the kernel id");
      }
      let kernel;
      try {
        kernel = kernels.get(kernelId);
      } catch (e: unknown) {
        const known = asHttpError(e);
        if (known) return refuseUpgrade(socket, known.status, known.message);
        throw e;
      }
      const found = kernel;
      access.of(principal).then(
        (a) => {
          // Someone else's kernel answers as a missing one (no probing of kernel ids).
          if (!can(a, "write", { kind: "kernel", ...kernels.ownershipOf(kernelId) })) return refuseUpgrade(socket, 404, `Kernel does not exist: ${kernelId}`);
          wss.handleUpgrade(req, socket, head, (ws) => {
            opened(ws);
            const sent = auditExecutions(audit, principal.username);
            new KernelChannelsConnection(ws, found, url.searchParams.get("session_id") || randomUUID(), log, (msg) => sent(found.id, msg)).connect();
          });
        },
        () => refuseUpgrade(socket, 503, "Authorization is unavailable"),
      );
    },
  };
}
