import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";

/** Everything Lightbook reads from its environment, validated once at start. */
export interface Config {
  host: string;
  port: number;
  /** Unset: Lightbook runs an embedded PostgreSQL under `stateDir`. */
  databaseUrl: string | undefined;
  /** Where the embedded database, connection files and logs live. */
  stateDir: string;
  /** Root of the beamline data (HDF5/NeXus files) that kernels and agents may read. */
  dataRoot: string;
  token: string;
  /** Extra origins allowed to open kernel WebSockets, besides the server's own. */
  allowOrigins: string[];
  /** How many local node agents the server starts (0 when agents run elsewhere). */
  localAgents: number;
  /** Seed the demo notebook and HDF5 file into an empty database. */
  demo: boolean;
  /** Where agents write large array results (files named in the `result` table). */
  resultsRoot: string;
  /** An agent whose heartbeat is older than this is lost, and its jobs go to other agents. */
  agentLostAfterMs: number;
}

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  LIGHTBOOK_HOST: z.string().min(1).default("127.0.0.1"),
  LIGHTBOOK_PORT: port.default(8888),
  DATABASE_URL: z.string().url().optional(),
  LIGHTBOOK_STATE_DIR: z.string().min(1).default(".lightbook"),
  LIGHTBOOK_DATA_ROOT: z.string().min(1).optional(),
  LIGHTBOOK_TOKEN: z.string().min(16, "LIGHTBOOK_TOKEN must have at least 16 characters").optional(),
  LIGHTBOOK_ALLOW_ORIGINS: z.string().default(""),
  LIGHTBOOK_LOCAL_AGENTS: z.coerce.number().int().min(0).default(1),
  LIGHTBOOK_DEMO: z.enum(["0", "1"]).default("1"),
  LIGHTBOOK_RESULTS_ROOT: z.string().min(1).optional(),
  LIGHTBOOK_AGENT_LOST_MS: z.coerce.number().int().min(1000).default(10_000),
});

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  const stateDir = path.resolve(e.LIGHTBOOK_STATE_DIR);
  return {
    host: e.LIGHTBOOK_HOST,
    port: e.LIGHTBOOK_PORT,
    databaseUrl: e.DATABASE_URL,
    stateDir,
    dataRoot: path.resolve(e.LIGHTBOOK_DATA_ROOT ?? path.join(stateDir, "data")),
    // Like Jupyter: a fresh random token each start unless one is configured.
    token: e.LIGHTBOOK_TOKEN ?? randomBytes(24).toString("hex"),
    allowOrigins: e.LIGHTBOOK_ALLOW_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
    localAgents: e.LIGHTBOOK_LOCAL_AGENTS,
    demo: e.LIGHTBOOK_DEMO === "1",
    resultsRoot: path.resolve(e.LIGHTBOOK_RESULTS_ROOT ?? path.join(stateDir, "results")),
    agentLostAfterMs: e.LIGHTBOOK_AGENT_LOST_MS,
  };
}
