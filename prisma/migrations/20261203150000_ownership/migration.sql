-- Ownership (issue 13, item 3): a kernel belongs to the user who started it; a run to its
-- submitter and, when it names one, a proposal. Rows from before this migration have no owner
-- and are reachable by admins only (server/auth/authorizer.ts).

-- AlterTable: an instrument scientist's beamlines (they help every proposal on them).
ALTER TABLE "user" ADD COLUMN "beamlines" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "kernel" ADD COLUMN "owner_id" UUID;
ALTER TABLE "kernel" ADD COLUMN "token_id" UUID;
ALTER TABLE "kernel" ADD COLUMN "proposal_id" UUID;

-- AlterTable
ALTER TABLE "run" ADD COLUMN "owner_id" UUID;
ALTER TABLE "run" ADD COLUMN "proposal_id" UUID;

-- CreateIndex
CREATE INDEX "run_owner_id_idx" ON "run"("owner_id");
CREATE INDEX "run_proposal_id_idx" ON "run"("proposal_id");

-- AddForeignKey
ALTER TABLE "kernel" ADD CONSTRAINT "kernel_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "run" ADD CONSTRAINT "run_proposal_id_fkey" FOREIGN KEY ("proposal_id") REFERENCES "proposal"("id") ON DELETE SET NULL ON UPDATE CASCADE;
