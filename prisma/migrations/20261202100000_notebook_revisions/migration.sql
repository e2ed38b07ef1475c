-- CreateEnum
CREATE TYPE "revision_kind" AS ENUM ('save', 'outputs', 'restore');

-- AlterTable
ALTER TABLE "content" ADD COLUMN "revision_id" UUID;

-- CreateTable
CREATE TABLE "notebook_revision" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "path" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "parent_id" UUID,
    "kind" "revision_kind" NOT NULL,
    "notebook" JSONB NOT NULL,

    CONSTRAINT "notebook_revision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notebook_revision_seq_key" ON "notebook_revision"("seq");

-- CreateIndex
CREATE INDEX "notebook_revision_path_seq_idx" ON "notebook_revision"("path", "seq");

-- AddForeignKey
ALTER TABLE "content" ADD CONSTRAINT "content_revision_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "notebook_revision"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notebook_revision" ADD CONSTRAINT "notebook_revision_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "notebook_revision"("id") ON DELETE SET NULL ON UPDATE CASCADE;
