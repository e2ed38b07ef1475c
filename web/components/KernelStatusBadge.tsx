import type { KernelStatus } from "../lib/jupyter";

/** 'no kernel' while none is attached (starting failed, or not started yet). */
export type KernelDisplayStatus = KernelStatus | "no kernel";

export default function KernelStatusBadge({ status, kernelLabel }: { status: KernelDisplayStatus; kernelLabel: string }) {
  return (
    <div className="kernel">
      <span className="kernel-name">{kernelLabel}</span>
      {/* role=status announces changes politely; the text is exactly the status word, for tests. */}
      <span className={`kernel-status kernel-status-${status.replace(" ", "-")}`} data-testid="kernel-status" data-status={status} role="status">
        {status}
      </span>
    </div>
  );
}
