import type { RunModel } from "../../contracts/runs.ts";

/** A run as the server answers for it, for tests that parse or render runs. */
export function runFixture(over: Partial<RunModel> = {}): RunModel {
  return {
    id: "r1",
    key: null,
    name: "",
    state: "running",
    open: false,
    counts: { total: 2, queued: 1, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
    steps_pending: 0,
    created_at: "2026-01-01T00:00:00.000Z",
    started_at: null,
    finished_at: null,
    error: null,
    owner_id: null,
    proposal_id: null,
    beamline: null,
    data_folders: [""],
    ...over,
  };
}
