-- CreateEnum
CREATE TYPE "run_state" AS ENUM ('pending', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "task_state" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- AlterEnum
ALTER TYPE "agent_state" ADD VALUE 'lost';

-- AlterTable
ALTER TABLE "agent" ADD COLUMN     "completed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "concurrency" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "failed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lost_at" TIMESTAMPTZ(3),
ADD COLUMN     "running" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "worker_ids" TEXT[];

-- CreateTable
CREATE TABLE "run" (
    "id" UUID NOT NULL,
    "key" TEXT,
    "name" TEXT NOT NULL DEFAULT '',
    "recipe" JSONB NOT NULL,
    "state" "run_state" NOT NULL DEFAULT 'pending',
    "total" INTEGER NOT NULL DEFAULT 0,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cancelled" INTEGER NOT NULL DEFAULT 0,
    "steps_pending" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task" (
    "run_id" UUID NOT NULL,
    "partition" INTEGER NOT NULL,
    "step" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "state" "task_state" NOT NULL DEFAULT 'queued',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "agent_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "task_pkey" PRIMARY KEY ("run_id","partition")
);

-- CreateTable
CREATE TABLE "result" (
    "run_id" UUID NOT NULL,
    "partition" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "agent_id" UUID,
    "value" JSONB,
    "bytes" BYTEA,
    "dtype" TEXT,
    "shape" INTEGER[],
    "path" TEXT,
    "sha256" TEXT,
    "size" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "result_pkey" PRIMARY KEY ("run_id","partition")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_key_key" ON "run"("key");

-- CreateIndex
CREATE INDEX "run_created_at_idx" ON "run"("created_at");

-- CreateIndex
CREATE INDEX "run_state_idx" ON "run"("state");

-- CreateIndex
CREATE INDEX "task_agent_id_state_idx" ON "task"("agent_id", "state");

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task" ADD CONSTRAINT "task_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "result" ADD CONSTRAINT "result_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

