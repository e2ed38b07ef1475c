/** The agent's command line and environment, checked once at start. */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { LOG_FORMATS } from "../runtime/log.ts";
import { ProgramsConfigError, readPrograms, type Programs } from "../queue/programs.ts";

export interface AgentOptions {
  databaseUrl: string;
  name: string;
  tags: string[];
  concurrency: number;
  dataRoot: string;
  resultsRoot: string | undefined;
  heartbeatMs: number;
  lostAfterMs: number;
  /** How often this agent looks for lost agents (any live agent reaps, not only the server). */
  reapEveryMs: number;
  /** Jobs run and locked beyond its compute slots (agent.ts QUEUE_TUNING); default as many as the slots. */
  prefetch: number;
  /** The unprivileged user shipped functions run as when the agent runs as root and the run has no owner (sandbox/launch.ts). */
  sandboxUser: string;
  /** Where the Unix users of runs' proposals and submitters start (sandbox/identity.ts); every agent must have the same. */
  runUidBase: number;
  /** The allow-listed programs (LIGHTBOOK_PROGRAMS), read once at start. */
  programs: Programs;
}

export class AgentOptionsError extends Error {}

const env = z.object({
  DATABASE_URL: z.string().url({ message: "set DATABASE_URL to the Lightbook database" }),
  LIGHTBOOK_DATA_ROOT: z.string().min(1).default(".lightbook/data"),
  LIGHTBOOK_RESULTS_ROOT: z.string().min(1).optional(),
  LIGHTBOOK_AGENT_HEARTBEAT_MS: z.coerce.number().int().min(100).default(2000),
  LIGHTBOOK_AGENT_LOST_MS: z.coerce.number().int().min(1000).default(10_000),
  LIGHTBOOK_AGENT_PREFETCH: z.coerce.number().int().min(0).max(1000).optional(),
  // Read by createLogger; checked here so a wrong value is reported by name.
  LIGHTBOOK_LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
  LIGHTBOOK_SANDBOX_USER: z.string().min(1).default("nobody"),
  // Above the ranges of system, local and most directory users; room for a billion proposals and users below 2^32.
  LIGHTBOOK_RUN_UID_BASE: z.coerce.number().int().min(1000).max(2_000_000_000).default(1_500_000_000),
  LIGHTBOOK_PROGRAMS: z.string().optional(),
});

export function parseAgentOptions(argv: string[], environment: NodeJS.ProcessEnv): AgentOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: "string", default: `${os.hostname()}-${process.pid}` },
      tags: { type: "string", default: "" },
      concurrency: { type: "string", default: String(os.availableParallelism()) },
      "data-root": { type: "string" },
      "results-root": { type: "string" },
    },
  });
  const e = env.safeParse(Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== "")));
  if (!e.success) {
    const issue = e.error.issues[0]!;
    throw new AgentOptionsError(issue.path[0] === "DATABASE_URL" ? "set DATABASE_URL to the Lightbook database" : `${issue.path.join(".")}: ${issue.message}`);
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024)
    throw new AgentOptionsError(`--concurrency must be a whole number from 1 to 1024, not ${values.concurrency}`);
  const resultsRoot = values["results-root"] ?? e.data.LIGHTBOOK_RESULTS_ROOT;
  return {
    databaseUrl: e.data.DATABASE_URL,
    name: values.name,
    tags: values.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    concurrency,
    dataRoot: path.resolve(values["data-root"] ?? e.data.LIGHTBOOK_DATA_ROOT),
    resultsRoot: resultsRoot ? path.resolve(resultsRoot) : undefined,
    heartbeatMs: e.data.LIGHTBOOK_AGENT_HEARTBEAT_MS,
    lostAfterMs: e.data.LIGHTBOOK_AGENT_LOST_MS,
    reapEveryMs: Math.max(1000, Math.round(e.data.LIGHTBOOK_AGENT_LOST_MS / 2)),
    // Measured with 20 ms tasks on a loaded machine (bench/workflow.ts): a task's start and store round trips
    // can take as long as the task, so one job ahead per slot keeps the slots busy.
    prefetch: e.data.LIGHTBOOK_AGENT_PREFETCH ?? concurrency,
    sandboxUser: e.data.LIGHTBOOK_SANDBOX_USER,
    runUidBase: e.data.LIGHTBOOK_RUN_UID_BASE,
    programs: readProgramsOption(e.data.LIGHTBOOK_PROGRAMS),
  };
}

function readProgramsOption(list: string | undefined): Programs {
  try {
    return readPrograms(list);
  } catch (e: unknown) {
    throw e instanceof ProgramsConfigError ? new AgentOptionsError(e.message) : e;
  }
}
