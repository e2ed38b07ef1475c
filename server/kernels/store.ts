import { Prisma } from "../db/generated/client.ts";
import type { Db } from "../db/client.ts";
import { parseConnectionInfo, type ConnectionInfo } from "../../kernel/protocol/connection.ts";
import { recordedExecution, type RecordedExecution } from "../../contracts/journal.ts";
import { parseContract } from "../../contracts/parse.ts";
import { z } from "../../contracts/zod.ts";
import type { JournalStore } from "./output-journal.ts";

/** A kernel as recorded, so that a restarted server reattaches it (issue 11 item 4). */
export interface KernelRecord {
  id: string;
  name: string;
  pid: number;
  pgid: number;
  connection: ConnectionInfo;
  /** "running" or "dead": busy and idle are the kernel's to say, not the database's. */
  state: "running" | "dead";
  journalMsgId: string | null;
  /** The user who started it, and its token's id (issue 13, item 3). */
  ownerId: string | null;
  tokenId: string | null;
  proposalId: string | null;
  executions: { execution: RecordedExecution; seq: number }[];
}

const kernelState = z.enum(["running", "dead"]);
const input = recordedExecution.shape.input;

/** Kernels and their output journal in PostgreSQL: the rows behind KernelManager and OutputJournal. */
export class KernelStore implements JournalStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<KernelRecord[]> {
    const rows = await this.db.kernel.findMany({ include: { executions: { orderBy: { seq: "asc" } } }, orderBy: { startedAt: "asc" } });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      pid: r.pid,
      pgid: r.pgid,
      connection: parseConnectionInfo(r.connection, `kernel row ${r.id}: connection`),
      state: parseContract(kernelState, r.state, `kernel row ${r.id}: state`),
      journalMsgId: r.journalMsgId,
      ownerId: r.ownerId,
      tokenId: r.tokenId,
      proposalId: r.proposalId,
      executions: r.executions.map((e) => ({
        seq: e.seq,
        execution: parseContract(
          recordedExecution,
          {
            request_id: e.requestId,
            session: e.session,
            code: e.code,
            execution_count: e.executionCount,
            state: e.state,
            started: e.started,
            ended: e.ended,
            messages: e.messages,
            last_msg_id: e.lastMsgId,
            cell_id: e.cellId,
            notebook_path: e.notebookPath,
            input: e.input,
          },
          `kernel_execution row ${r.id}/${e.requestId}`,
        ),
      })),
    }));
  }

  async put(k: Omit<KernelRecord, "journalMsgId" | "executions">): Promise<void> {
    const row = {
      name: k.name,
      pid: k.pid,
      pgid: k.pgid,
      connection: k.connection as unknown as Prisma.InputJsonObject,
      state: k.state,
      ownerId: k.ownerId,
      tokenId: k.tokenId,
      proposalId: k.proposalId,
    };
    await this.db.kernel.upsert({ where: { id: k.id }, create: { id: k.id, ...row }, update: row });
  }

  async setState(id: string, state: "running" | "dead"): Promise<void> {
    await this.db.kernel.updateMany({ where: { id }, data: { state } });
  }

  /** The kernel, its sessions and its journal (cascading foreign keys). */
  async delete(id: string): Promise<void> {
    await this.db.kernel.deleteMany({ where: { id } });
  }

  async save(kernelId: string, change: { executions: (RecordedExecution & { seq: number })[]; removed: string[]; lastMsgId: string | null }): Promise<void> {
    await this.db.$transaction([
      ...change.executions.map((e) => {
        const row = {
          seq: e.seq,
          session: e.session,
          code: e.code,
          executionCount: e.execution_count,
          state: e.state,
          started: e.started,
          ended: e.ended,
          messages: e.messages as Prisma.InputJsonArray,
          lastMsgId: e.last_msg_id,
          input: e.input === null ? Prisma.DbNull : (parseContract(input, e.input, "journal input") as Prisma.InputJsonObject),
          notebookPath: e.notebook_path,
          cellId: e.cell_id,
        };
        return this.db.kernelExecution.upsert({
          where: { kernelId_requestId: { kernelId, requestId: e.request_id } },
          create: { kernelId, requestId: e.request_id, ...row },
          update: row,
        });
      }),
      this.db.kernelExecution.deleteMany({ where: { kernelId, requestId: { in: change.removed } } }),
      this.db.kernel.updateMany({ where: { id: kernelId }, data: { journalMsgId: change.lastMsgId } }),
    ]);
  }
}
