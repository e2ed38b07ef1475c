/**
 * A node agent: `npm run agent -- --name N --tags a,b --concurrency C` with DATABASE_URL set
 * (and LIGHTBOOK_DATA_ROOT where the beamline data is mounted). It registers, heartbeats and runs
 * Lightbook tasks from the queue. SIGTERM/SIGINT: running jobs finish, no new ones are taken, then
 * it exits; a second signal aborts them (the queue retries them elsewhere) and exits.
 * Signals are handled here and nowhere else.
 */
import { tuneFrameCollection } from "../analysis/frame-malloc.ts";
import { createLogger } from "../runtime/log.ts";
import { coerceError } from "../runtime/errors.ts";
import { exitWithParent } from "../runtime/parent-watch.ts";
import { registerAnalysisAlgorithms } from "./analysis-algorithms.ts";
import { Agent } from "./agent.ts";
import { AgentOptionsError, parseAgentOptions } from "./options.ts";

let opts;
try {
  opts = parseAgentOptions(process.argv.slice(2), process.env);
} catch (e: unknown) {
  process.stderr.write(`lightbook agent: ${e instanceof AgentOptionsError ? e.message : coerceError(e).message}\n`);
  process.exit(1);
}

tuneFrameCollection();
registerAnalysisAlgorithms();
const log = createLogger("lightbook-agent");
const agent = new Agent(opts, log);
try {
  await agent.start();
} catch (e: unknown) {
  process.stderr.write(`lightbook agent: could not start: ${coerceError(e).message}\n`);
  process.exit(1);
}
process.stdout.write(`lightbook agent ${opts.name} (${agent.id}) registered\n`);

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  log.info({ signal, count: signals }, "signal");
  void agent.stop().then(
    () => process.exit(signals > 1 ? 1 : 0),
    (e: unknown) => {
      log.error({ err: coerceError(e).message }, "stopping failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);
// A local agent of a server that was killed: abort its tasks for retry (as a second signal does) and exit.
if (process.env.LIGHTBOOK_AGENT_EXIT_WITH_PARENT === "1") {
  exitWithParent(() => {
    onSignal("SIGTERM");
    onSignal("SIGTERM");
  });
}
// A task's stray rejection must not take the agent and its other tasks down.
process.on("unhandledRejection", (reason) => log.error({ err: coerceError(reason).message }, "unhandled rejection"));
