-- CreateIndex
CREATE INDEX "task_run_id_state_idx" ON "task"("run_id", "state");

