import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { agentModel } from "../../contracts/agents";
import { ApiError, responseOf } from "./jupyter";

// The web app parses the server's answers with the contracts the server builds them from.
const agent = {
  id: "a1",
  name: "agent-1",
  host: "h",
  pid: 1,
  cores: 2,
  version: "0.1.0",
  tags: [],
  concurrency: 2,
  state: "running",
  running: 0,
  completed: 3,
  failed: 0,
  tasks_per_minute: 1,
  started_at: "2026-01-01T00:00:00.000Z",
  heartbeat_at: "2026-01-01T00:00:01.000Z",
  lost_at: null,
  restarts: null,
};

test("an answer that fits its contract is returned parsed; one that does not is an ApiError naming the field", async () => {
  assert.deepEqual(await responseOf(z.array(agentModel), new Response(JSON.stringify([agent])), "the agents"), [agent]);
  await assert.rejects(
    responseOf(z.array(agentModel), new Response(JSON.stringify([{ ...agent, state: "asleep" }])), "the agents"),
    (e: unknown) => e instanceof ApiError && /^the server sent the agents in an unexpected shape \(\[0\]\.state: Invalid option/.test(e.message),
  );
});
