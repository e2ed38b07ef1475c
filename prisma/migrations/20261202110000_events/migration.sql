-- One event stream (issue 11, item 3): every event is written in the transaction of what it
-- reports, numbered by seq; subscribers resume with "seq > their last".

-- AlterTable: an open run accepts appended tasks until it is closed, and does not end before.
ALTER TABLE "run" ADD COLUMN "open" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "event" (
    "seq" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "run_id" UUID,
    "payload" JSONB NOT NULL,
    "created" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "event_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "event_run_id_seq_idx" ON "event"("run_id", "seq");

-- CreateIndex
CREATE INDEX "event_created_idx" ON "event"("created");

-- Seq order must be commit order, or a reader that saw seq 11 committed and moved its cursor past
-- it would never see seq 10 of a transaction still running. Every writer takes one
-- transaction-level advisory lock before it draws its seq, and holds it to its commit (the lock
-- is released after the commit is visible), so seqs become visible in order and "seq > last"
-- never skips one. The cost: event-writing transactions commit one at a time from their event on
-- (finishers of one run already did, on the run row). The NOTIFY carries the seq; PostgreSQL
-- delivers it at commit.
CREATE FUNCTION "lightbook_event_seq"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  NEW.seq := nextval(pg_get_serial_sequence('event', 'seq'));
  PERFORM pg_notify('lightbook_events', NEW.seq::text);
  RETURN NEW;
END
$$;

CREATE TRIGGER "event_seq" BEFORE INSERT ON "event" FOR EACH ROW EXECUTE FUNCTION "lightbook_event_seq"();

-- The trigger draws every seq (under the lock); a column default would draw one more before it.
ALTER TABLE "event" ALTER COLUMN "seq" DROP DEFAULT;
