import { z } from "./zod.ts";
import { agentState } from "./agents.ts";
import { runState, taskState } from "./runs.ts";

/**
 * The event stream (issue 11, item 3): what changed, as it is committed. Each event is written in
 * the transaction of the change it reports (queue/sql/events.ts), numbered by `seq`, and pushed to
 * subscribers of `/api/lightbook/events?after=<seq>&run=<id>`; a client that reconnects with
 * `after=` its last seq gets exactly the events it missed. Wire fields are snake_case.
 */

const uuid = z.string().uuid();
const index = z.number().int().min(0);

export const eventBody = z.discriminatedUnion("kind", [
  /** A task changed state: started on an agent (`running`), given back or retried (`queued`), or ended. `succeeded` means its result is stored. */
  z.object({
    kind: z.literal("task.state"),
    run_id: uuid,
    partition: index,
    state: taskState,
    attempt: index,
    agent_id: uuid.nullable(),
    error: z.string().nullable(),
  }),
  /** A run was created, started, closed (`open` false) or ended. */
  z.object({ kind: z.literal("run.state"), run_id: uuid, state: runState, open: z.boolean(), total: index }),
  /** Tasks `first` … `first + count - 1` were added to a run (a later step became ready, or tasks were appended to an open run). */
  z.object({ kind: z.literal("run.tasks"), run_id: uuid, step: z.string(), first: index, count: z.number().int().min(1) }),
  /** An agent registered (`running`), began stopping, stopped, or was found lost. */
  z.object({ kind: z.literal("agent.state"), agent_id: uuid, name: z.string(), state: agentState }),
  /** A notebook got a new revision (`revision_kind` says how: a save, the runner's outputs, a restore). */
  z.object({ kind: z.literal("notebook.revision"), path: z.string(), revision_id: z.string(), author: z.string(), revision_kind: z.string().max(64) }),
]);
export type EventBody = z.infer<typeof eventBody>;
export type EventKind = EventBody["kind"];

/** One message of the stream: an event with its sequence number and commit-time stamp. */
export const streamEvent = z.intersection(z.object({ seq: z.number().int().min(1), created: z.string() }), eventBody);
export type StreamEvent = z.infer<typeof streamEvent>;

/** Query of the events WebSocket: events after `after` (0: from the oldest kept; left out: from now on), only run `run`'s when given. */
export const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  run: uuid.optional(),
});
