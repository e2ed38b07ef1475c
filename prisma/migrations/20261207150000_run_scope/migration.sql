-- Where a run's shipped code may go and as whom it runs (issue 13, item 5), fixed when the run is
-- submitted: the beamline of its proposal (its jobs carry it, so agents restricted to other
-- beamlines never take them) and the data folders its tasks may read ("" is the whole data root:
-- an admin's personal runs, and runs from before this migration, which only admins reach).
-- Proposals and users get a number each that agents turn into their runs' Unix user.

-- AlterTable
ALTER TABLE "run" ADD COLUMN "beamline" TEXT;
ALTER TABLE "run" ADD COLUMN "data_folders" TEXT[] NOT NULL DEFAULT ARRAY['']::TEXT[];

-- AlterTable: existing rows are numbered too.
ALTER TABLE "proposal" ADD COLUMN "run_uid" SERIAL NOT NULL;
ALTER TABLE "user" ADD COLUMN "run_uid" SERIAL NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "proposal_run_uid_key" ON "proposal"("run_uid");
CREATE UNIQUE INDEX "user_run_uid_key" ON "user"("run_uid");
