-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "content_type" AS ENUM ('notebook', 'file', 'directory');

-- CreateEnum
CREATE TYPE "agent_state" AS ENUM ('running', 'stopping', 'stopped');

-- CreateTable
CREATE TABLE "content" (
    "path" TEXT NOT NULL,
    "parent" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "content_type" NOT NULL,
    "notebook" JSONB,
    "text" TEXT,
    "bytes" BYTEA,
    "mimetype" TEXT,
    "size" INTEGER NOT NULL DEFAULT 0,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_modified" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_pkey" PRIMARY KEY ("path")
);

-- CreateTable
CREATE TABLE "agent" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "cores" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "tags" TEXT[],
    "state" "agent_state" NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "content_parent_idx" ON "content"("parent");

-- CreateIndex
CREATE INDEX "agent_heartbeat_at_idx" ON "agent"("heartbeat_at");

