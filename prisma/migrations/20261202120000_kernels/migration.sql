-- CreateTable
CREATE TABLE "kernel" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "pgid" INTEGER NOT NULL,
    "connection" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "journal_msg_id" TEXT,

    CONSTRAINT "kernel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kernel_session" (
    "id" UUID NOT NULL,
    "path" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "kernel_id" UUID NOT NULL,

    CONSTRAINT "kernel_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kernel_execution" (
    "kernel_id" UUID NOT NULL,
    "request_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "session" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "execution_count" INTEGER,
    "state" TEXT NOT NULL,
    "started" TEXT,
    "ended" TEXT,
    "messages" JSONB NOT NULL,
    "last_msg_id" TEXT NOT NULL,
    "input" JSONB,
    "notebook_path" TEXT,
    "cell_id" TEXT,

    CONSTRAINT "kernel_execution_pkey" PRIMARY KEY ("kernel_id","request_id")
);

-- CreateIndex
CREATE INDEX "kernel_session_kernel_id_idx" ON "kernel_session"("kernel_id");

-- CreateIndex
CREATE INDEX "kernel_execution_kernel_id_seq_idx" ON "kernel_execution"("kernel_id", "seq");

-- AddForeignKey
ALTER TABLE "kernel_session" ADD CONSTRAINT "kernel_session_kernel_id_fkey" FOREIGN KEY ("kernel_id") REFERENCES "kernel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kernel_execution" ADD CONSTRAINT "kernel_execution_kernel_id_fkey" FOREIGN KEY ("kernel_id") REFERENCES "kernel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
