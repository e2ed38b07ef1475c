import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentModel } from "../../contracts/agents.ts";
import { alive, pgrep, waitUntil } from "../support/processes.ts";
import { startServer } from "../support/server.ts";
import { api, submitRun, waitFor, waitForRun } from "../support/workflow.ts";

test("a local agent killed with SIGKILL is restarted, registers again and runs the next run", { timeout: 180_000 }, async () => {
  const server = await startServer({
    web: false,
    env: { LIGHTBOOK_LOCAL_AGENTS: "1", LIGHTBOOK_DEMO: "0", LIGHTBOOK_AGENT_HEARTBEAT_MS: "200", LIGHTBOOK_AGENT_LOST_MS: "2000" },
  });
  try {
    const localAgents = () => pgrep("-P", String(server.process.pid), "-f", "agent/main.ts");
    const running = async () => (await api<AgentModel[]>(server, "GET", "/api/lightbook/agents")).body.filter((a) => a.state === "running");
    let list: AgentModel[] = [];
    await waitFor(
      async () => (list = await running()).length === 1,
      60_000,
      () => "the local agent did not register",
      200,
    );
    assert.equal(list[0]!.restarts, 0);
    const [first] = localAgents();
    assert.equal(list[0]!.pid, first);

    process.kill(first!, "SIGKILL");
    await waitUntil("the killed agent is gone", () => !alive(first!));
    let again: AgentModel | undefined;
    await waitFor(
      async () => (again = (await running()).find((a) => a.pid !== first)) !== undefined,
      90_000,
      () => `no new local agent registered:\n${server.stderr().slice(-2000)}`,
      200,
    );
    assert.equal(again!.name, "local-1");
    assert.equal(again!.restarts, 1);
    assert.deepEqual(localAgents(), [again!.pid]);
    assert.match(server.stderr(), /local agent exited; restarting it/);

    const run = await submitRun(server, {
      recipe: { steps: [{ id: "w", algorithm: "sleep", params: { ms: 50 }, input: { kind: "range", start: 0, stop: 3 } }] },
    });
    assert.equal((await waitForRun(server, run.id, 60_000)).state, "succeeded");
    assert.equal(await server.stop(), 0);
  } finally {
    await server.dispose();
  }
});
