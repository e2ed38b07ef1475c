import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { LOG_FORMATS } from "../runtime/log.ts";
import type { OidcConfig } from "./auth/oidc.ts";
import { readPrograms, type Programs } from "../queue/programs.ts";
import { kernelMemoryMb } from "../kernel/memory-limit.ts";

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
  /** The most one data request (h5grove) may make the server read and decode, in bytes. */
  maxReadBytes: number;
  /** Events older than this are deleted (a client resuming from before gets what is left). */
  eventRetentionMs: number;
  /** Bytes queued on one event subscriber's socket before it stops getting live events and pages from the database. */
  eventBufferBytes: number;
  /** How long kernels outlive a server that went away (a restart reattaches them meanwhile); 0: they end with it. */
  kernelOrphanGraceMs: number;
  /**
   * LIGHTBOOK_KERNEL_ISOLATION: `users` runs each user's kernels as their own Unix account with
   * limits (server/kernels/provisioner.ts; needs root); `none` as the server's user.
   */
  kernelIsolation: { kind: "none" } | { kind: "users"; homes: string; memoryBytes: number; processes: number; openFiles: number; cpus: number };
  /** Single sign-on with OpenID Connect; undefined when LIGHTBOOK_OIDC_ISSUER is unset. */
  oidc: OidcConfig | undefined;
  /** Failed logins allowed per account, and per address, in each window. */
  loginLimits: { perAccount: number; perAddress: number; windowSeconds: number };
  /** The installed programs runs may name (LIGHTBOOK_PROGRAMS: allow-list files, ':'-separated; queue/programs.ts). */
  programs: Programs;
  programsFiles: string | undefined;
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
  LIGHTBOOK_PROGRAMS: z.string().min(1).optional(),
  LIGHTBOOK_AGENT_LOST_MS: z.coerce.number().int().min(1000).default(10_000),
  LIGHTBOOK_MAX_READ_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(256 * 2 ** 20),
  LIGHTBOOK_EVENT_RETENTION_HOURS: z.coerce.number().min(0.001).default(168),
  LIGHTBOOK_EVENT_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 ** 20),
  LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60_000),
  LIGHTBOOK_KERNEL_ISOLATION: z.enum(["none", "users"]).default("none"),
  LIGHTBOOK_KERNEL_HOMES: z.string().min(1).optional(),
  LIGHTBOOK_KERNEL_PROCESSES: z.coerce.number().int().min(64).default(1024),
  LIGHTBOOK_KERNEL_CPUS: z.coerce.number().min(0.01).max(1024).default(1),
  LIGHTBOOK_OIDC_ISSUER: z.string().url().optional(),
  LIGHTBOOK_OIDC_CLIENT_ID: z.string().min(1).optional(),
  LIGHTBOOK_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  LIGHTBOOK_OIDC_REDIRECT_URL: z.string().url().optional(),
  LIGHTBOOK_OIDC_USERNAME_CLAIM: z.string().min(1).default("preferred_username"),
  LIGHTBOOK_OIDC_ROLE_CLAIM: z.string().min(1).optional(),
  LIGHTBOOK_OIDC_SCOPES: z.string().min(1).default("openid profile email"),
  LIGHTBOOK_OIDC_ALLOW_HTTP: z.enum(["0", "1"]).default("0"),
  LIGHTBOOK_LOGIN_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  LIGHTBOOK_LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  LIGHTBOOK_LOGIN_WINDOW_S: z.coerce.number().int().min(1).default(900),
  // Read by createLogger; checked here so a wrong value is reported by name.
  LIGHTBOOK_LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
});

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.LIGHTBOOK_OIDC_ISSUER && (!e.LIGHTBOOK_OIDC_CLIENT_ID || !e.LIGHTBOOK_OIDC_REDIRECT_URL))
    throw new ConfigError("invalid configuration: LIGHTBOOK_OIDC_ISSUER needs LIGHTBOOK_OIDC_CLIENT_ID and LIGHTBOOK_OIDC_REDIRECT_URL too");
  const stateDir = path.resolve(e.LIGHTBOOK_STATE_DIR);
  return {
    host: e.LIGHTBOOK_HOST,
    port: e.LIGHTBOOK_PORT,
    databaseUrl: e.DATABASE_URL,
    stateDir,
    dataRoot: path.resolve(e.LIGHTBOOK_DATA_ROOT ?? path.join(stateDir, "data")),
    // Like Jupyter: a fresh random token each start unless one is configured.
    token: e.LIGHTBOOK_TOKEN ?? randomBytes(24).toString("hex"),
    allowOrigins: e.LIGHTBOOK_ALLOW_ORIGINS.split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    localAgents: e.LIGHTBOOK_LOCAL_AGENTS,
    demo: e.LIGHTBOOK_DEMO === "1",
    resultsRoot: path.resolve(e.LIGHTBOOK_RESULTS_ROOT ?? path.join(stateDir, "results")),
    agentLostAfterMs: e.LIGHTBOOK_AGENT_LOST_MS,
    maxReadBytes: e.LIGHTBOOK_MAX_READ_BYTES,
    eventRetentionMs: e.LIGHTBOOK_EVENT_RETENTION_HOURS * 3_600_000,
    eventBufferBytes: e.LIGHTBOOK_EVENT_BUFFER_BYTES,
    kernelOrphanGraceMs: e.LIGHTBOOK_KERNEL_ORPHAN_GRACE_MS,
    kernelIsolation:
      e.LIGHTBOOK_KERNEL_ISOLATION === "users"
        ? {
            kind: "users",
            homes: path.resolve(e.LIGHTBOOK_KERNEL_HOMES ?? path.join(stateDir, "homes")),
            // A hard backstop past the kernel's own limit, which its watchdog enforces first (kernel/memory-limit.ts):
            // V8 reserves writable address space for each isolate's code range (worker threads too), which RLIMIT_DATA counts.
            memoryBytes: (kernelMemoryMb() + 8192) * 2 ** 20,
            processes: e.LIGHTBOOK_KERNEL_PROCESSES,
            openFiles: 4096,
            cpus: e.LIGHTBOOK_KERNEL_CPUS,
          }
        : { kind: "none" },
    oidc:
      e.LIGHTBOOK_OIDC_ISSUER && e.LIGHTBOOK_OIDC_CLIENT_ID && e.LIGHTBOOK_OIDC_REDIRECT_URL
        ? {
            issuer: e.LIGHTBOOK_OIDC_ISSUER,
            clientId: e.LIGHTBOOK_OIDC_CLIENT_ID,
            clientSecret: e.LIGHTBOOK_OIDC_CLIENT_SECRET,
            redirectUrl: e.LIGHTBOOK_OIDC_REDIRECT_URL,
            usernameClaim: e.LIGHTBOOK_OIDC_USERNAME_CLAIM,
            roleClaim: e.LIGHTBOOK_OIDC_ROLE_CLAIM,
            scopes: e.LIGHTBOOK_OIDC_SCOPES,
            allowHttp: e.LIGHTBOOK_OIDC_ALLOW_HTTP === "1",
          }
        : undefined,
    loginLimits: { perAccount: e.LIGHTBOOK_LOGIN_ATTEMPTS, perAddress: e.LIGHTBOOK_LOGIN_ATTEMPTS_PER_ADDRESS, windowSeconds: e.LIGHTBOOK_LOGIN_WINDOW_S },
    programs: programsOf(e.LIGHTBOOK_PROGRAMS),
    programsFiles: e.LIGHTBOOK_PROGRAMS,
  };
}

function programsOf(list: string | undefined): Programs {
  try {
    return readPrograms(list);
  } catch (e: unknown) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
}
