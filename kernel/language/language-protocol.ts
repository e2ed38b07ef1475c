/** Messages between the kernel's main thread and its language worker (language-worker.ts). */
import type { CompleteReply, InspectReply } from "../protocol/messages.ts";
import type { CellDiagnostic } from "./session-service.ts";

export type LanguageRequest =
  | { op: "check"; code: string }
  | { op: "commit"; code: string }
  | { op: "complete"; code: string; cursor: number }
  | { op: "inspect"; code: string; cursor: number };

export type CompletionResult = Omit<Extract<CompleteReply, { status: "ok" }>, "status">;
export type InspectionResult = Omit<Extract<InspectReply, { status: "ok" }>, "status">;

export interface LanguageResults {
  check: CellDiagnostic[];
  commit: null;
  complete: CompletionResult;
  inspect: InspectionResult;
}

export type LanguageResponse = { id: number; result: unknown } | { id: number; error: string };
