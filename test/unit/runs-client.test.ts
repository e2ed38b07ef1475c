import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { RunsClient } from "../../kernel/workflow/client.ts";
import { runFixture } from "../support/run-model.ts";

/** Cells parse what the server answers with its contracts (contracts/runs.ts): a body that does not fit is an error naming the field. */
let body = "";
const server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(body));
let client: RunsClient;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = new RunsClient({ apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, token: "t" });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const run = runFixture();

test("a run that fits its contract comes back parsed", async () => {
  body = JSON.stringify(run);
  assert.deepEqual(await client.get("r1"), run);
});

test("a run or a results page that does not fit is refused, naming the request and the field", async () => {
  body = JSON.stringify({ ...run, counts: { ...run.counts, running: "one" } });
  await assert.rejects(client.get("r1"), {
    name: "ContractError",
    message: "the answer to GET api/lightbook/runs/r1?tasks=0 does not match its contract: counts.running: Invalid input: expected number, received string",
  });
  body = JSON.stringify({
    results: [
      {
        partition: 0,
        step: "s",
        attempt: 1,
        agent_id: null,
        value: null,
        array: { dtype: "complex128", shape: [1, 1], base64: "" },
        dtype: "complex128",
        shape: [1, 1],
        sha256: null,
        size: 16,
      },
    ],
    next_after: null,
  });
  await assert.rejects(client.results("r1"), { name: "ContractError", message: /results\[0\]\.array\.dtype: Invalid option/ });
});
